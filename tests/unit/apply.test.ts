import { describe, expect, it } from 'vitest';
import { applyChange, type ValidChange } from '../../server/sync/apply.ts';
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
    data: { title: 'server title', body: 'server body', pinned: false, folderId: null },
    ...overrides,
  };
}

function change(op: ValidChange['op'], data: Record<string, unknown> = {}, baseVersion: number | null = null, entity: EntityType = Note): ValidChange {
  return { entity, entityId: id, op, data, baseVersion };
}

const nothingConcurrent = () => new Set<string>();

describe('applyChange', () => {
  it('inserts version 1 with server time and every field as changed', () => {
    const outcome = applyChange(undefined, change('INSERT', { title: 't', body: 'b', pinned: true, folderId: null }), nothingConcurrent, now);
    expect(outcome).toMatchObject({ kind: 'written', status: 'APPLIED', changedFields: ['title', 'body', 'pinned', 'folderId'] });
    if (outcome.kind !== 'written') throw new Error('unreachable');
    expect(outcome.next).toEqual({ id, version: 1, updatedAt: now, deleted: false, data: { title: 't', body: 'b', pinned: true, folderId: null } });
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
    if (outcome.kind !== 'written') throw new Error('unreachable');
    expect(outcome.next.version).toBe(4);
    expect(outcome.next.updatedAt).toBe(now);
    expect(outcome.next.data).toEqual({ title: 'mine', body: 'server body', pinned: false, folderId: null });
  });

  it('merges an UPDATE from an older version when others changed different fields', () => {
    const outcome = applyChange(record(), change('UPDATE', { pinned: true }, 1), () => new Set(['title', 'body']), now);
    expect(outcome).toMatchObject({ status: 'MERGED', conflictingFields: [] });
    if (outcome.kind !== 'written') throw new Error('unreachable');
    expect(outcome.next.data).toMatchObject({ title: 'server title', body: 'server body', pinned: true });
  });

  it('is APPLIED when only the same client changed the record since its base version', () => {
    const outcome = applyChange(record(), change('UPDATE', { title: 'second offline edit' }, 2), () => new Set(), now);
    expect(outcome).toMatchObject({ status: 'APPLIED', conflictingFields: [] });
  });

  it('lets the later arrival win a concurrent edit of the same field and says so', () => {
    const outcome = applyChange(record(), change('UPDATE', { title: 'late', pinned: true }, 2), () => new Set(['title']), now);
    expect(outcome).toMatchObject({ status: 'MERGED', conflictingFields: ['title'] });
    if (outcome.kind !== 'written') throw new Error('unreachable');
    expect(outcome.next.data.title).toBe('late');
  });

  it('counts every field as concurrently changed when the history is unknown', () => {
    const outcome = applyChange(record(), change('UPDATE', { title: 'a', body: 'b' }, 1), () => 'unknown', now);
    expect(outcome).toMatchObject({ status: 'MERGED', conflictingFields: ['title', 'body'] });
  });

  it('does not report LWW fields as conflicting', () => {
    const lwwNote: EntityType = {
      ...Note,
      fields: new Map([...Note.fields].map(([name, f]) => [name, name === 'title' ? { ...f, strategy: 'LWW' as const } : f])),
    };
    const outcome = applyChange(record(), change('UPDATE', { title: 'x', body: 'y' }, 2, lwwNote), () => new Set(['title', 'body']), now);
    expect(outcome).toMatchObject({ status: 'MERGED', conflictingFields: ['body'] });
  });

  it('reports UPDATE and DELETE of a deleted record as a conflict and never resurrects it', () => {
    const tombstone = record({ deleted: true, version: 4 });
    for (const op of ['UPDATE', 'DELETE'] as const) {
      const outcome = applyChange(tombstone, change(op, op === 'UPDATE' ? { title: 'zombie' } : {}, 3), nothingConcurrent, now);
      expect(outcome).toMatchObject({ kind: 'not-written', status: 'CONFLICT', error: { code: 'RECORD_DELETED' } });
      expect(outcome.kind === 'not-written' && outcome.record).toBe(tombstone);
    }
  });

  it('deletes by writing a tombstone that keeps the data', () => {
    const outcome = applyChange(record(), change('DELETE', {}, 3), nothingConcurrent, now);
    expect(outcome).toMatchObject({ kind: 'written', status: 'APPLIED', changedFields: [] });
    if (outcome.kind !== 'written') throw new Error('unreachable');
    expect(outcome.next).toMatchObject({ version: 4, deleted: true, updatedAt: now, data: record().data });
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
