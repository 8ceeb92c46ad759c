/**
 * The client's mirror of the field strategies: the rules generated from
 * schema/ agree with the server's registry, change shapes are checked against
 * them before anything is queued, and the record a change produces is the one
 * the server will store (counter sums, sets sorted and without repeats).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  applyChangeData,
  applyCounter,
  applySet,
  assertChangeShape,
  normalizeSet,
  shapeProblem,
  strategyOf,
  syncRules,
} from '../../client/lib/strategies.ts';
import { realRegistry } from '../helpers/entities.ts';

describe('the generated sync rules', () => {
  it('say what the server registry says, for every synced type and field', () => {
    const server = realRegistry();
    const fromServer = Object.fromEntries(
      [...server.values()].map((type) => [
        type.name,
        {
          onConcurrentDelete: type.onConcurrentDelete,
          fields: Object.fromEntries(
            [...type.fields.values()].map((f) => [
              f.name,
              { strategy: f.strategy, ...(f.unique ? { unique: f.unique } : {}), ...(f.references ? { references: f.references } : {}) },
            ]),
          ),
        },
      ]),
    );
    const fromClient = Object.fromEntries(
      Object.entries(syncRules).map(([name, rules]) => [
        name,
        {
          onConcurrentDelete: rules.onConcurrentDelete,
          fields: Object.fromEntries(Object.entries(rules.fields).map(([field, { type: _type, ...rule }]) => [field, rule])),
        },
      ]),
    );
    expect(fromClient).toEqual(fromServer);
  });

  it('carry the Note and Folder strategies of the SDL, with MERGE and DELETE_WINS as defaults', () => {
    expect(syncRules.Note.onConcurrentDelete).toBe('EDIT_RESURRECTS');
    expect(syncRules.Folder.onConcurrentDelete).toBe('DELETE_WINS');
    expect(Object.fromEntries(Object.entries(syncRules.Note.fields).map(([f, r]) => [f, r.strategy]))).toEqual({
      title: 'LWW',
      body: 'MANUAL',
      pinned: 'MERGE',
      folderId: 'MERGE',
      tags: 'SET',
      likes: 'COUNTER',
    });
    expect(syncRules.Note.fields.folderId).toMatchObject({ references: 'Folder', type: 'ID' });
    expect(syncRules.Folder.fields.name).toMatchObject({ strategy: 'MERGE', unique: 'MERGE', type: 'String!' });
    expect(strategyOf('Note', 'id')).toBeUndefined();
    expect(strategyOf('Nope', 'title')).toBeUndefined();
  });
});

describe('change shapes', () => {
  it('accept what the wire format takes', () => {
    expect(() => assertChangeShape('Note', 'INSERT', { title: 't', body: '', pinned: false, tags: ['b', 'a', 'b'], likes: 3 })).not.toThrow();
    expect(() => assertChangeShape('Note', 'UPDATE', { likes: { inc: -2 } })).not.toThrow();
    expect(() => assertChangeShape('Note', 'UPDATE', { tags: { add: ['x'] } })).not.toThrow();
    expect(() => assertChangeShape('Note', 'UPDATE', { tags: { remove: ['x'] } })).not.toThrow();
    expect(() => assertChangeShape('Note', 'UPDATE', { tags: { add: [], remove: ['x'] } })).not.toThrow();
    expect(() => assertChangeShape('Note', 'DELETE', null)).not.toThrow();
  });

  it('refuse a plain number for a COUNTER on update, with a message that says what to send', () => {
    expect(() => assertChangeShape('Note', 'UPDATE', { likes: 5 })).toThrow('Note.likes is a COUNTER: update it with { inc: n }, not a plain number (5)');
  });

  it.each([
    ['a fractional increment', { likes: { inc: 1.5 } }],
    ['a missing increment', { likes: {} }],
    ['an extra key', { likes: { inc: 1, set: 3 } }],
    ['a plain array for a SET', { tags: ['a'] }],
    ['a SET update with neither add nor remove', { tags: {} }],
    ['a SET update with a non-string element', { tags: { add: [1] } }],
    ['a SET update with an unknown key', { tags: { add: ['a'], clear: true } }],
    ['an element both added and removed', { tags: { add: ['a', 'b'], remove: ['b'] } }],
  ])('refuse %s on update', (_what, data) => {
    expect(() => assertChangeShape('Note', 'UPDATE', data)).toThrow(Error);
  });

  it('refuse an increment or an add/remove object on INSERT, where the starting value is sent', () => {
    expect(shapeProblem('Note', 'INSERT', 'likes', { inc: 1 })).toMatch(/COUNTER: INSERT it with an integer/);
    expect(shapeProblem('Note', 'INSERT', 'tags', { add: ['a'] })).toMatch(/SET: INSERT it with an array of strings/);
    expect(shapeProblem('Note', 'INSERT', 'tags', ['a', 2])).toMatch(/SET/);
  });

  it('leave plain fields to the server (it answers a bad value with REJECTED)', () => {
    expect(() => assertChangeShape('Note', 'UPDATE', { title: 42, pinned: 'yes', nope: 1 })).not.toThrow();
  });

  it('name every bad field in one error', () => {
    expect(() => assertChangeShape('Note', 'UPDATE', { likes: 1, tags: ['a'] })).toThrow(/likes.*; .*tags/);
  });
});

describe('the record a change produces', () => {
  it('fills COUNTER, SET and nullable fields the INSERT leaves out with the server defaults, and normalizes a set', () => {
    expect(applyChangeData('Note', 'INSERT', null, { title: 't', body: 'b', pinned: false })).toEqual({
      title: 't',
      body: 'b',
      pinned: false,
      folderId: null,
      tags: [],
      likes: 0,
    });
    expect(applyChangeData('Note', 'INSERT', null, { title: 't', body: '', pinned: true, tags: ['b', 'a', 'b', 'B'], likes: 4 })).toMatchObject({
      tags: ['B', 'a', 'b'],
      likes: 4,
    });
  });

  it('adds increments on top of what is shown, pending increments included', () => {
    const shown = { title: 't', likes: 2, tags: [] };
    const once = applyChangeData('Note', 'UPDATE', shown, { likes: { inc: 1 } });
    const twice = applyChangeData('Note', 'UPDATE', once, { likes: { inc: 3 }, title: 'u' });
    expect(once).toEqual({ title: 't', likes: 3, tags: [] });
    expect(twice).toEqual({ title: 'u', likes: 6, tags: [] });
    expect(applyChangeData('Note', 'UPDATE', twice, { likes: { inc: -6 } }).likes).toBe(0);
  });

  it('applies set adds and removes and keeps the set sorted without repeats', () => {
    const shown = { tags: ['home', 'work'] };
    expect(applyChangeData('Note', 'UPDATE', shown, { tags: { add: ['a', 'work', 'a'], remove: ['home', 'absent'] } })).toEqual({ tags: ['a', 'work'] });
    expect(shown.tags).toEqual(['home', 'work']);
  });

  it('takes other fields as sent, whatever their strategy (MANUAL and LWW conflicts are the server\'s to settle)', () => {
    expect(applyChangeData('Note', 'UPDATE', { body: 'old', title: 'old', pinned: false }, { body: 'new', title: 'T', pinned: true })).toEqual({
      body: 'new',
      title: 'T',
      pinned: true,
    });
  });

  it('normalizes sets exactly like the server: [...new Set(x)].sort()', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.array(fc.string()), fc.array(fc.string()), (start, add, remove) => {
        const cleanRemove = remove.filter((e) => !add.includes(e));
        const expected = [...new Set([...start.filter((e) => !cleanRemove.includes(e)), ...add])].sort();
        expect(applySet(normalizeSet(start), { add, remove: cleanRemove })).toEqual(expected);
        expect(normalizeSet(start)).toEqual([...new Set(start)].sort());
      }),
    );
  });

  it('counts from 0 when a counter has no value yet', () => {
    expect(applyCounter(undefined, { inc: 2 })).toBe(2);
    expect(applyCounter(5, { inc: -1 })).toBe(4);
  });
});
