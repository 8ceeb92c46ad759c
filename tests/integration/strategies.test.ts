/**
 * Every per-field strategy, the delete policies and the @unique MERGE rule,
 * end to end through the gateway's push and pull (the client side is tested in
 * tests/client, convergence under faults in tests/convergence).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import {
  CONFLICT_FIELDS,
  deleteNote,
  newFolder,
  newNote,
  pullAll,
  push,
  settleConflict,
  updateNote,
} from '../helpers/sync.ts';

let gw: TestGateway;
beforeAll(async () => (gw = await startTestGateway()));
afterAll(async () => gw?.close());

async function list(token: string, field: 'notes' | 'folders' | 'conflicts', selection: string) {
  const response = await gw.graphql(token, `{ ${field} { ${selection} } }`);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data[field] as any[];
}

async function workspaceWithNote(fields: Parameters<typeof newNote>[0] = {}) {
  const token = await gw.token(newWorkspace());
  const note = newNote(fields);
  await push(gw, token, [note], 'client-a');
  return { token, id: note.entityId };
}

describe('COUNTER', () => {
  it('starts at 0 or the INSERT value and adds concurrent increments from any version', async () => {
    const { token, id } = await workspaceWithNote();
    const a = await push(gw, token, [updateNote(id, { likes: { inc: 2 } }, 1), updateNote(id, { likes: { inc: 1 } }, 1)], 'client-a');
    const [b] = await push(gw, token, [updateNote(id, { likes: { inc: 5 } }, 1)], 'client-b');
    const [c] = await push(gw, token, [updateNote(id, { likes: { inc: -3 } }, 1)], 'client-c');
    expect(a.map((r) => r.record.likes)).toEqual([2, 3]);
    expect(b).toMatchObject({ status: 'MERGED', conflictingFields: [], record: { likes: 8 } });
    expect(c.record.likes).toBe(5);
    const started = newNote({ title: 'started at 7' });
    (started.data as Record<string, unknown>).likes = 7;
    expect((await push(gw, token, [started]))[0].record.likes).toBe(7);
  });

  it('refuses to set a counter, so no increment can be lost', async () => {
    const { token, id } = await workspaceWithNote();
    for (const likes of [10, { inc: 1.5 }, { inc: 1, by: 2 }, 'many']) {
      const [result] = await push(gw, token, [updateNote(id, { likes }, 1)]);
      expect(result).toMatchObject({ status: 'REJECTED', error: { code: 'INVALID_FIELD_VALUE' } });
    }
  });
});

describe('SET (add wins)', () => {
  it('keeps tags sorted and unique, adds and removes', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote();
    (note.data as Record<string, unknown>).tags = ['work', 'home', 'work'];
    const [inserted] = await push(gw, token, [note]);
    expect(inserted.record.tags).toEqual(['home', 'work']);
    const [updated] = await push(gw, token, [updateNote(note.entityId, { tags: { add: ['a'], remove: ['home'] } }, 1)]);
    expect(updated.record.tags).toEqual(['a', 'work']);
  });

  it('a concurrent add beats a remove in either arrival order', async () => {
    // Remove arrives after the concurrent add: the add had not been seen, so the tag stays.
    const first = await workspaceWithNote();
    await push(gw, first.token, [updateNote(first.id, { tags: { add: ['x'] } }, 1)], 'client-a');
    await push(gw, first.token, [updateNote(first.id, { tags: { add: ['x'] } }, 1)], 'client-b');
    const [removed] = await push(gw, first.token, [updateNote(first.id, { tags: { remove: ['x'] } }, 2)], 'client-c');
    expect(removed.record.tags).toEqual(['x']);

    // Remove arrives first: the later add puts it back.
    const second = await workspaceWithNote();
    await push(gw, second.token, [updateNote(second.id, { tags: { add: ['x'] } }, 1)], 'client-a');
    await push(gw, second.token, [updateNote(second.id, { tags: { remove: ['x'] } }, 2)], 'client-b');
    const [added] = await push(gw, second.token, [updateNote(second.id, { tags: { add: ['x'] } }, 1)], 'client-c');
    expect(added.record.tags).toEqual(['x']);
  });

  it('a remove takes away adds its client had seen, its own included', async () => {
    const { token, id } = await workspaceWithNote();
    await push(gw, token, [updateNote(id, { tags: { add: ['x', 'y'] } }, 1)], 'client-b');
    const [seen] = await push(gw, token, [updateNote(id, { tags: { remove: ['x'] } }, 2)], 'client-c');
    expect(seen.record.tags).toEqual(['y']);
    const own = await push(gw, token, [updateNote(id, { tags: { add: ['z'] } }, 1), updateNote(id, { tags: { remove: ['z'] } }, 1)], 'client-a');
    expect(own[1].record.tags).toEqual(['y']);
  });

  it('an add that was itself taken away by a remove that had seen it no longer blocks other removes (OR-Set)', async () => {
    // Found by the convergence test: each client adds and removes "c" once, so "c" must end up gone.
    const { token, id } = await workspaceWithNote();
    await push(gw, token, [updateNote(id, { tags: { add: ['c'] } }, 1), updateNote(id, { tags: { remove: ['c'] } }, 1)], 'client-a');
    const [add, remove] = await push(gw, token, [updateNote(id, { tags: { add: ['c'] } }, 1), updateNote(id, { tags: { remove: ['c'] } }, 1)], 'client-b');
    expect(add.record.tags).toEqual(['c']);
    expect(remove.record.tags).toEqual([]);
    // While an add still standing from another client keeps it.
    await push(gw, token, [updateNote(id, { tags: { add: ['d'] } }, 5)], 'client-a');
    const [blocked] = await push(gw, token, [updateNote(id, { tags: { remove: ['d'] } }, 5)], 'client-b');
    expect(blocked.record.tags).toEqual(['d']);
  });

  it('refuses replacing a set or adding and removing one element at once', async () => {
    const { token, id } = await workspaceWithNote();
    for (const tags of [['a'], { add: ['a'], remove: ['a'] }, {}, { add: [1] }, { put: ['a'] }]) {
      const [result] = await push(gw, token, [updateNote(id, { tags }, 1)]);
      expect(result).toMatchObject({ status: 'REJECTED', error: { code: 'INVALID_FIELD_VALUE' } });
    }
  });
});

describe('MANUAL', () => {
  async function concurrentBodies() {
    const { token, id } = await workspaceWithNote({ body: 'original' });
    await push(gw, token, [updateNote(id, { body: 'body by A' }, 1)], 'client-a');
    const [b] = await push(gw, token, [updateNote(id, { body: 'body by B', pinned: true }, 1)], 'client-b');
    return { token, id, b };
  }

  it('holds a concurrent edit back as a SyncConflict with both versions; the rest of the change applies', async () => {
    const { token, id, b } = await concurrentBodies();
    expect(b).toMatchObject({
      status: 'CONFLICT',
      error: { code: 'CONCURRENT_EDIT' },
      record: { version: 3, body: 'body by A', pinned: true },
      conflicts: [
        {
          kind: 'CONCURRENT_EDIT',
          entityType: 'Note',
          entityId: id,
          field: 'body',
          serverValue: 'body by A',
          clientValue: 'body by B',
          clientId: 'client-b',
          resolved: false,
          deleted: false,
        },
      ],
    });
    // Stored as data, listed and synced to every client.
    expect(await list(token, 'conflicts', CONFLICT_FIELDS)).toEqual([b.conflicts[0]]);
    const { changes } = await pullAll(gw, token);
    expect(changes.filter((c) => c.entityType === 'SyncConflict').map((c) => [c.op, c.record.id])).toEqual([['INSERT', b.conflicts[0].id]]);
  });

  it('writes nothing to the record when the held field was the whole change', async () => {
    const { token, id } = await workspaceWithNote({ body: 'original' });
    await push(gw, token, [updateNote(id, { body: 'A' }, 1)], 'client-a');
    const [b] = await push(gw, token, [updateNote(id, { body: 'B' }, 1)], 'client-b');
    expect(b).toMatchObject({ status: 'CONFLICT', record: { version: 2, body: 'A' } });
    expect(b.conflicts).toHaveLength(1);
  });

  it('is settled by resolveConflict with a chosen value, once; the settlement syncs and replays idempotently', async () => {
    const { token, id, b } = await concurrentBodies();
    const conflictId = b.conflicts[0].id;
    const RESOLVE = `mutation($clientId: ID!, $mutationId: ID!, $conflictId: ID!, $value: JSON) {
      resolveConflict(clientId: $clientId, mutationId: $mutationId, conflictId: $conflictId, value: $value) {
        status error { code } record { __typename ... on SyncConflict { ${CONFLICT_FIELDS} } }
      }
    }`;
    const args = { clientId: 'client-a', mutationId: 'settle-1', conflictId, value: 'A and B, merged by hand' };
    const first = await gw.graphql(token, RESOLVE, args);
    expect(first.data.resolveConflict).toMatchObject({
      status: 'APPLIED',
      record: { deleted: true, resolved: true, resolvedValue: 'A and B, merged by hand', resolvedBy: 'client-a' },
    });
    const replay = await gw.graphql(token, RESOLVE, args);
    expect(replay.data.resolveConflict).toMatchObject({ status: 'DUPLICATE', record: { deleted: true } });

    const [notes, conflicts] = await Promise.all([list(token, 'notes', 'id body version'), list(token, 'conflicts', 'id')]);
    expect(notes).toEqual([{ id, body: 'A and B, merged by hand', version: 4 }]);
    expect(conflicts).toEqual([]);

    // Another client that settles it too is told it already was, and changes nothing.
    const [late] = await push(gw, token, [settleConflict(conflictId, 'B only')], 'client-b');
    expect(late).toMatchObject({ status: 'CONFLICT', error: { code: 'CONFLICT_SETTLED' }, record: { resolvedValue: 'A and B, merged by hand' } });
    const { changes } = await pullAll(gw, token);
    expect(changes.slice(-2).map((c) => [c.entityType, c.op, c.clientId, c.mutationId])).toEqual([
      ['Note', 'UPDATE', 'client-a', 'settle-1'],
      ['SyncConflict', 'DELETE', 'client-a', 'settle-1'],
    ]);
  });

  it('keeps the record as it is when settled without a value, and checks a value against the field', async () => {
    const { token, id, b } = await concurrentBodies();
    const conflictId = b.conflicts[0].id;
    const [bad] = await push(gw, token, [settleConflict(conflictId, 42)], 'client-b');
    expect(bad).toMatchObject({ status: 'REJECTED', error: { code: 'INVALID_FIELD_VALUE' } });
    const [kept] = await push(gw, token, [settleConflict(conflictId)], 'client-b');
    expect(kept).toMatchObject({ status: 'APPLIED', record: { deleted: true, resolvedValue: 'body by A', resolvedBy: 'client-b' } });
    expect(await list(token, 'notes', 'id body version')).toEqual([{ id, body: 'body by A', version: 3 }]);
  });

  it('refuses creating or editing conflicts directly', async () => {
    const { token, b } = await concurrentBodies();
    const insert = { ...settleConflict(b.conflicts[0].id, 'x'), op: 'INSERT' as const };
    const edit = { ...settleConflict(b.conflicts[0].id, 'x'), data: { resolved: true } };
    const results = await push(gw, token, [insert, edit], 'client-b');
    expect(results.map((r) => r.error.code)).toEqual(['READ_ONLY_ENTITY', 'READ_ONLY_FIELD']);
  });
});

describe('delete against edit', () => {
  it('Note (EDIT_RESURRECTS): an edit made without seeing a delete brings the note back', async () => {
    const { token, id } = await workspaceWithNote({ title: 'keep me' });
    await push(gw, token, [deleteNote(id, 1)], 'client-b');
    const [edit] = await push(gw, token, [updateNote(id, { title: 'edited offline' }, 1)], 'client-a');
    expect(edit).toMatchObject({ status: 'MERGED', error: { code: 'RECORD_RESURRECTED' }, record: { deleted: false, version: 3, title: 'edited offline' } });
    expect(await list(token, 'notes', 'id title')).toEqual([{ id, title: 'edited offline' }]);
  });

  it('Note (EDIT_RESURRECTS): a delete made without seeing an edit is refused, and applies once it has seen it', async () => {
    const { token, id } = await workspaceWithNote();
    await push(gw, token, [updateNote(id, { likes: { inc: 1 } }, 1)], 'client-a');
    const [refused] = await push(gw, token, [deleteNote(id, 1)], 'client-b');
    expect(refused).toMatchObject({ status: 'CONFLICT', error: { code: 'RECORD_EDITED' }, record: { deleted: false, likes: 1 } });
    const [again] = await push(gw, token, [deleteNote(id, 2)], 'client-b');
    expect(again).toMatchObject({ status: 'APPLIED', record: { deleted: true } });
  });

  it('Folder (DELETE_WINS): a rename made without seeing a delete is refused and the folder stays deleted', async () => {
    const token = await gw.token(newWorkspace());
    const folder = newFolder('Old');
    await push(gw, token, [folder], 'client-a');
    await push(gw, token, [{ ...folder, mutationId: 'del', op: 'DELETE', data: undefined, baseVersion: 1 }], 'client-b');
    const [rename] = await push(gw, token, [{ ...folder, mutationId: 'ren', op: 'UPDATE', data: { name: 'New' }, baseVersion: 1 }], 'client-a');
    expect(rename).toMatchObject({ status: 'CONFLICT', error: { code: 'RECORD_DELETED' }, record: { deleted: true, name: 'Old' } });
  });
});

describe('Folder names (@unique MERGE)', () => {
  it('merges two offline-created "Work" folders: one folder, every note in it, everyone told', async () => {
    const token = await gw.token(newWorkspace());
    const workA = newFolder('Work');
    const workB = newFolder('Work');
    const noteA = newNote({ title: 'from A', folderId: workA.entityId });
    const noteB = newNote({ title: 'from B', folderId: workB.entityId });
    const laterB = newNote({ title: 'later from B', folderId: workB.entityId });
    expect((await push(gw, token, [workA, noteA], 'client-a')).map((r) => r.status)).toEqual(['APPLIED', 'APPLIED']);
    const [merged, movedNote] = await push(gw, token, [workB, noteB], 'client-b');
    expect(merged).toMatchObject({
      status: 'CONFLICT',
      error: { code: 'DUPLICATE_MERGED' },
      record: { id: workB.entityId, deleted: true, name: 'Work' },
      conflicts: [{ kind: 'DUPLICATE_VALUE', entityType: 'Folder', entityId: workB.entityId, survivorId: workA.entityId, resolved: true }],
    });
    expect(movedNote).toMatchObject({ status: 'APPLIED', record: { folderId: workA.entityId } });
    // A change made offline that still names the merged-away folder lands in the survivor.
    expect((await push(gw, token, [laterB], 'client-b'))[0].record.folderId).toBe(workA.entityId);

    expect(await list(token, 'folders', 'id name')).toEqual([{ id: workA.entityId, name: 'Work' }]);
    const notes = await list(token, 'notes', 'title folderId');
    expect(notes.map((n) => n.folderId)).toEqual([workA.entityId, workA.entityId, workA.entityId]);
    const [notice] = await list(token, 'conflicts', CONFLICT_FIELDS);
    expect(notice).toMatchObject({ kind: 'DUPLICATE_VALUE', clientValue: 'Work', survivorId: workA.entityId });
    const [dismissed] = await push(gw, token, [settleConflict(notice.id)], 'client-a');
    expect(dismissed).toMatchObject({ status: 'APPLIED', record: { deleted: true } });
    expect(await list(token, 'conflicts', 'id')).toEqual([]);
  });

  it('merges on rename too, moving the notes already in the renamed folder', async () => {
    const token = await gw.token(newWorkspace());
    const work = newFolder('Work');
    const jobs = newFolder('Jobs');
    const inJobs = [newNote({ folderId: jobs.entityId }), newNote({ folderId: jobs.entityId })];
    await push(gw, token, [work, jobs, ...inJobs], 'client-a');
    const [renamed] = await push(gw, token, [{ ...jobs, mutationId: 'rename', op: 'UPDATE', data: { name: 'Work' }, baseVersion: 1 }], 'client-b');
    expect(renamed).toMatchObject({ status: 'CONFLICT', error: { code: 'DUPLICATE_MERGED' }, record: { deleted: true } });
    const { changes } = await pullAll(gw, token);
    const moves = changes.filter((c) => c.entityType === 'Note' && c.op === 'UPDATE');
    expect(moves.map((c) => [c.changedFields, c.record.folderId, c.mutationId])).toEqual([
      [['folderId'], work.entityId, null],
      [['folderId'], work.entityId, null],
    ]);
    expect(await list(token, 'folders', 'name')).toEqual([{ name: 'Work' }]);
  });

  it('files a note that comes back after its folder was merged away into the survivor', async () => {
    // Found by the convergence test: the note was a tombstone during the merge, so the merge did not move it.
    const token = await gw.token(newWorkspace());
    const work = newFolder('Work');
    const home = newFolder('Home');
    const note = newNote({ folderId: work.entityId });
    await push(gw, token, [work, note], 'client-c');
    await push(gw, token, [home], 'client-a');
    const [deleted, merged] = await push(
      gw,
      token,
      [deleteNote(note.entityId, 1), { ...work, mutationId: 'rename', op: 'UPDATE', data: { name: 'Home' }, baseVersion: 1 }],
      'client-a',
    );
    expect([deleted.status, merged.error.code]).toEqual(['APPLIED', 'DUPLICATE_MERGED']);
    const [back] = await push(gw, token, [updateNote(note.entityId, { tags: { add: ['c'] } }, 1)], 'client-c');
    expect(back).toMatchObject({ error: { code: 'RECORD_RESURRECTED' }, record: { deleted: false, folderId: home.entityId } });
    const { changes } = await pullAll(gw, token);
    expect(changes.at(-1)).toMatchObject({ op: 'UPDATE', changedFields: ['tags', 'folderId'] });
  });

  it('lets names be swapped or freed and reused', async () => {
    const token = await gw.token(newWorkspace());
    const a = newFolder('A');
    const b = newFolder('B');
    await push(gw, token, [a, b]);
    const swap = await push(gw, token, [
      { ...a, mutationId: 's1', op: 'UPDATE', data: { name: 'tmp' }, baseVersion: 1 },
      { ...b, mutationId: 's2', op: 'UPDATE', data: { name: 'A' }, baseVersion: 1 },
      { ...a, mutationId: 's3', op: 'UPDATE', data: { name: 'B' }, baseVersion: 2 },
    ]);
    expect(swap.map((r) => r.status)).toEqual(['APPLIED', 'APPLIED', 'APPLIED']);
    await push(gw, token, [{ ...a, mutationId: 'd', op: 'DELETE', data: undefined, baseVersion: 3 }]);
    expect((await push(gw, token, [newFolder('B')]))[0].status).toBe('APPLIED');
    expect((await list(token, 'folders', 'name')).map((f) => f.name).sort()).toEqual(['A', 'B']);
  });

  it('merges duplicates inside one batch and follows chains of merges', async () => {
    const token = await gw.token(newWorkspace());
    const first = newFolder('X');
    const second = newFolder('X');
    const note = newNote({ folderId: second.entityId });
    const results = await push(gw, token, [first, second, note]);
    expect(results.map((r) => r.status)).toEqual(['APPLIED', 'CONFLICT', 'APPLIED']);
    expect(results[2].record.folderId).toBe(first.entityId);
    // X merged into Y: a note still naming the first-merged folder follows both hops.
    const y = newFolder('Y');
    await push(gw, token, [y]);
    await push(gw, token, [{ ...first, mutationId: 'xy', op: 'UPDATE', data: { name: 'Y' }, baseVersion: 1 }]);
    const [late] = await push(gw, token, [newNote({ folderId: second.entityId })], 'client-b');
    expect(late.record.folderId).toBe(y.entityId);
  });
});
