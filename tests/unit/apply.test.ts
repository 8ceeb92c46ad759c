import { describe, expect, it } from 'vitest';
import { applyChange, type ConcurrentEdits, type ValidChange } from '../../server/sync/apply.ts';
import type { EntityType } from '../../server/sync/entities.ts';
import type { RecordState } from '../../server/sync/records.ts';
import { realRegistry } from '../helpers/entities.ts';

const Note = realRegistry().get('Note')!;
const now = new Date('2026-01-02T03:04:05.678Z');
const id = '6f1c2a4e-0000-4000-8000-000000000001';

function record(overrides: Partial<RecordState> = {}): RecordState {
  return {
    id,
    version: 3,
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    deleted: false,
    data: { title: 'server title', body: 'server body', pinned: false, folderId: null, tags: ['a', 'b'], likes: 2 },
    ...overrides,
  };
}

function change(op: ValidChange['op'], data: Record<string, unknown> = {}, baseVersion: number | null = null, entity: EntityType = Note): ValidChange {
  return { entity, entityId: id, op, data, baseVersion };
}

/** What other clients did since the base version, as the push's history lookup reports it. */
function others(fields: string[], extra: Partial<ConcurrentEdits> = {}) {
  return (): ConcurrentEdits => ({ fields: new Set(fields), unseenAdds: new Map(), deleted: false, ...extra });
}
const nothingConcurrent = others([]);

function written(outcome: ReturnType<typeof applyChange>) {
  if (outcome.kind !== 'written' || !outcome.next) throw new Error(`expected a write, got ${JSON.stringify(outcome)}`);
  return outcome.next;
}

describe('applyChange', () => {
  it('inserts version 1 with server time and every field as changed', () => {
    const data = { title: 't', body: 'b', pinned: true, folderId: null, tags: [], likes: 0 };
    const outcome = applyChange(undefined, change('INSERT', data), nothingConcurrent, now);
    expect(outcome).toMatchObject({ kind: 'written', status: 'APPLIED', changedFields: Object.keys(data) });
    expect(written(outcome)).toEqual({ id, version: 1, updatedAt: now, deleted: false, data });
  });

  it('rejects an INSERT of an existing id and reports an INSERT over a tombstone as a conflict', () => {
    expect(applyChange(record(), change('INSERT', { title: 'x' }), nothingConcurrent, now)).toMatchObject({
      status: 'REJECTED',
      error: { code: 'RECORD_EXISTS' },
    });
    expect(applyChange(record({ deleted: true }), change('INSERT', { title: 'x' }), nothingConcurrent, now)).toMatchObject({
      status: 'CONFLICT',
      error: { code: 'RECORD_DELETED' },
    });
  });

  it('applies an UPDATE from the current version as APPLIED, keeping untouched fields', () => {
    const outcome = applyChange(record(), change('UPDATE', { title: 'mine' }, 3), nothingConcurrent, now);
    expect(outcome).toMatchObject({ status: 'APPLIED', changedFields: ['title'], conflictingFields: [] });
    const next = written(outcome);
    expect(next.version).toBe(4);
    expect(next.updatedAt).toBe(now);
    expect(next.data).toEqual({ ...record().data, title: 'mine' });
  });

  it('merges an UPDATE from an older version when others changed different fields', () => {
    const outcome = applyChange(record(), change('UPDATE', { pinned: true }, 1), others(['title', 'body']), now);
    expect(outcome).toMatchObject({ status: 'MERGED', conflictingFields: [] });
    expect(written(outcome).data).toMatchObject({ title: 'server title', body: 'server body', pinned: true });
  });

  it('is APPLIED when only the same client changed the record since its base version', () => {
    const outcome = applyChange(record(), change('UPDATE', { title: 'second offline edit' }, 2), nothingConcurrent, now);
    expect(outcome).toMatchObject({ status: 'APPLIED', conflictingFields: [] });
  });

  it('lets the later arrival win a concurrent edit of a MERGE field and says so', () => {
    const outcome = applyChange(record(), change('UPDATE', { pinned: true }, 2), others(['pinned']), now);
    expect(outcome).toMatchObject({ status: 'MERGED', conflictingFields: ['pinned'] });
    expect(written(outcome).data.pinned).toBe(true);
  });

  it('lets the later arrival win an LWW field without reporting it', () => {
    const outcome = applyChange(record(), change('UPDATE', { title: 'x', pinned: true }, 2), others(['title', 'pinned']), now);
    expect(outcome).toMatchObject({ status: 'MERGED', conflictingFields: ['pinned'] });
    expect(written(outcome).data.title).toBe('x');
  });

  it('counts every field as concurrently changed when the history is unknown', () => {
    const outcome = applyChange(record(), change('UPDATE', { title: 'a', pinned: true }, 1), () => 'unknown', now);
    expect(outcome).toMatchObject({ status: 'MERGED', conflictingFields: ['pinned'] });
  });

  describe('COUNTER', () => {
    it('adds increments, concurrent or not, and logs the increment', () => {
      const outcome = applyChange(record(), change('UPDATE', { likes: { inc: 3 } }, 1), others(['likes']), now);
      expect(outcome).toMatchObject({ status: 'MERGED', conflictingFields: [], delta: { likes: { inc: 3 } } });
      expect(written(outcome).data.likes).toBe(5);
      expect(written(applyChange(record(), change('UPDATE', { likes: { inc: -5 } }, 3), nothingConcurrent, now)).data.likes).toBe(-3);
    });

    it('rejects a total outside the Int range instead of wrapping', () => {
      const outcome = applyChange(record(), change('UPDATE', { likes: { inc: 2 ** 31 - 2 } }, 3), nothingConcurrent, now);
      expect(outcome).toMatchObject({ status: 'REJECTED', error: { code: 'INVALID_FIELD_VALUE' } });
    });
  });

  describe('SET (add wins)', () => {
    it('adds and removes elements the client had seen, keeping the set sorted', () => {
      const outcome = applyChange(record(), change('UPDATE', { tags: { add: ['0', 'c'], remove: ['a'] } }, 3), nothingConcurrent, now);
      expect(written(outcome).data.tags).toEqual(['0', 'b', 'c']);
      expect(outcome).toMatchObject({ delta: { tags: { add: ['0', 'c'], remove: ['a'], base: 3 } } });
    });

    it('keeps an element another client added after the remove\'s base version', () => {
      const concurrentAdd = others(['tags'], { unseenAdds: new Map([['tags', new Set(['b'])]]) });
      const outcome = applyChange(record(), change('UPDATE', { tags: { add: [], remove: ['a', 'b'] } }, 2), concurrentAdd, now);
      expect(written(outcome).data.tags).toEqual(['b']);
    });

    it('removes nothing when the history is unknown: any element may be an add it had not seen', () => {
      const outcome = applyChange(record(), change('UPDATE', { tags: { add: ['z'], remove: ['a'] } }, 1), () => 'unknown', now);
      expect(outcome).toMatchObject({ status: 'MERGED' });
      expect(written(outcome).data.tags).toEqual(['a', 'b', 'z']);
    });
  });

  describe('MANUAL', () => {
    it('holds back a concurrent edit of the field and still applies the other fields', () => {
      const outcome = applyChange(record(), change('UPDATE', { body: 'mine', pinned: true }, 2), others(['body']), now);
      expect(outcome).toMatchObject({
        kind: 'written',
        status: 'CONFLICT',
        changedFields: ['pinned'],
        held: [{ field: 'body', serverValue: 'server body', clientValue: 'mine' }],
        notice: { code: 'CONCURRENT_EDIT' },
      });
      expect(written(outcome).data).toMatchObject({ body: 'server body', pinned: true });
    });

    it('writes nothing when the held field was all the change had', () => {
      const outcome = applyChange(record(), change('UPDATE', { body: 'mine' }, 2), others(['body']), now);
      expect(outcome).toMatchObject({ kind: 'written', status: 'CONFLICT', next: null, changedFields: [] });
    });

    it('applies when nobody else changed the field, or both sides wrote the same value', () => {
      expect(written(applyChange(record(), change('UPDATE', { body: 'mine' }, 2), others(['title']), now)).data.body).toBe('mine');
      const same = applyChange(record(), change('UPDATE', { body: 'server body' }, 2), others(['body']), now);
      expect(same).toMatchObject({ status: 'MERGED', held: [] });
    });
  });

  describe('delete policies', () => {
    const Folder = realRegistry().get('Folder')!;
    const folder = (overrides: Partial<RecordState> = {}) => record({ data: { name: 'Work' }, ...overrides });

    it('DELETE_WINS: an edit of a tombstone is a conflict and never resurrects it', () => {
      const tombstone = folder({ deleted: true, version: 4 });
      for (const op of ['UPDATE', 'DELETE'] as const) {
        const outcome = applyChange(tombstone, change(op, op === 'UPDATE' ? { name: 'zombie' } : {}, 3, Folder), others([], { deleted: true }), now);
        expect(outcome).toMatchObject({ kind: 'not-written', status: 'CONFLICT', error: { code: 'RECORD_DELETED' } });
        expect(outcome.kind === 'not-written' && outcome.record).toBe(tombstone);
      }
    });

    it('DELETE_WINS: a delete applies over a concurrent edit', () => {
      const outcome = applyChange(folder(), change('DELETE', {}, 1, Folder), others(['name']), now);
      expect(written(outcome)).toMatchObject({ version: 4, deleted: true });
    });

    it('EDIT_RESURRECTS: an edit that had not seen another client\'s delete brings the record back', () => {
      const outcome = applyChange(record({ deleted: true, version: 4 }), change('UPDATE', { title: 'still here' }, 3), others([], { deleted: true }), now);
      expect(outcome).toMatchObject({ status: 'MERGED', notice: { code: 'RECORD_RESURRECTED' } });
      expect(written(outcome)).toMatchObject({ version: 5, deleted: false, data: { title: 'still here', body: 'server body' } });
    });

    it('EDIT_RESURRECTS: an edit of a tombstone the client had seen (or deleted itself) stays a conflict', () => {
      const tombstone = record({ deleted: true, version: 4 });
      expect(applyChange(tombstone, change('UPDATE', { title: 'x' }, 4), nothingConcurrent, now)).toMatchObject({ error: { code: 'RECORD_DELETED' } });
      expect(applyChange(tombstone, change('UPDATE', { title: 'x' }, 3), nothingConcurrent, now)).toMatchObject({ error: { code: 'RECORD_DELETED' } });
    });

    it('EDIT_RESURRECTS: a delete that had not seen another client\'s edit is refused', () => {
      const outcome = applyChange(record(), change('DELETE', {}, 2), others(['likes']), now);
      expect(outcome).toMatchObject({ kind: 'not-written', status: 'CONFLICT', error: { code: 'RECORD_EDITED' } });
      expect(written(applyChange(record(), change('DELETE', {}, 2), nothingConcurrent, now)).deleted).toBe(true);
      expect(written(applyChange(record(), change('DELETE', {}, null), others(['likes']), now)).deleted).toBe(true);
    });
  });

  describe('history compacted away (unknown)', () => {
    const unknown = () => 'unknown' as const;
    const Folder = realRegistry().get('Folder')!;

    it('loses nothing of either side: MANUAL held back, MERGE reported, LWW set, COUNTER added, SET add-only', () => {
      const outcome = applyChange(
        record(),
        change('UPDATE', { title: 'mine', body: 'my body', pinned: true, likes: { inc: 1 }, tags: { add: ['c'], remove: ['a'] } }, 1),
        unknown,
        now,
      );
      expect(outcome).toMatchObject({
        kind: 'written',
        status: 'CONFLICT',
        conflictingFields: ['pinned'],
        held: [{ field: 'body', serverValue: 'server body', clientValue: 'my body' }],
        notice: { code: 'CONCURRENT_EDIT' },
      });
      expect(written(outcome).data).toMatchObject({ title: 'mine', body: 'server body', pinned: true, likes: 3, tags: ['a', 'b', 'c'] });
    });

    it('EDIT_RESURRECTS: a delete is refused and an edit of the tombstone brings it back', () => {
      expect(applyChange(record(), change('DELETE', {}, 1), unknown, now)).toMatchObject({ status: 'CONFLICT', error: { code: 'RECORD_EDITED' } });
      const outcome = applyChange(record({ deleted: true, version: 4 }), change('UPDATE', { title: 'back' }, 1), unknown, now);
      expect(outcome).toMatchObject({ status: 'MERGED', notice: { code: 'RECORD_RESURRECTED' } });
      expect(written(outcome)).toMatchObject({ deleted: false, data: { title: 'back' } });
    });

    it('DELETE_WINS: a delete applies and an edit of the tombstone stays a conflict', () => {
      const folder = record({ data: { name: 'Work' } });
      expect(written(applyChange(folder, change('DELETE', {}, 1, Folder), unknown, now)).deleted).toBe(true);
      const tombstone = record({ data: { name: 'Work' }, deleted: true, version: 4 });
      expect(applyChange(tombstone, change('UPDATE', { name: 'x' }, 1, Folder), unknown, now)).toMatchObject({
        status: 'CONFLICT',
        error: { code: 'RECORD_DELETED' },
      });
    });
  });

  it('deletes by writing a tombstone that keeps the data', () => {
    const outcome = applyChange(record(), change('DELETE', {}, 3), nothingConcurrent, now);
    expect(outcome).toMatchObject({ kind: 'written', status: 'APPLIED', changedFields: [] });
    expect(written(outcome)).toMatchObject({ version: 4, deleted: true, updatedAt: now, data: record().data });
  });

  it('rejects UPDATE or DELETE of a missing record and a base version from the future', () => {
    expect(applyChange(undefined, change('UPDATE', { title: 'x' }), nothingConcurrent, now)).toMatchObject({
      status: 'REJECTED',
      error: { code: 'RECORD_NOT_FOUND' },
    });
    expect(applyChange(undefined, change('DELETE'), nothingConcurrent, now)).toMatchObject({ error: { code: 'RECORD_NOT_FOUND' } });
    expect(applyChange(record(), change('UPDATE', { title: 'x' }, 9), nothingConcurrent, now)).toMatchObject({
      status: 'REJECTED',
      error: { code: 'INVALID_BASE_VERSION' },
    });
  });
});
