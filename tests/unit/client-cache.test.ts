/**
 * The client cache's updaters and optimistic layers, on graphcache itself with
 * a scripted network: records and conflicts follow the lists, an edit shows at
 * once as the server will store it (counter sums over pending increments, sets
 * sorted), a CONFLICT answer brings in the server's record and its conflicts,
 * and settling a conflict shows at once and comes undone if refused.
 */
import { describe, expect, it } from 'vitest';
import { Client, makeResult, type Exchange, type Operation, type OperationResult } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { filter, makeSubject, map, merge, onPush, pipe, share } from 'wonka';
import {
  ConflictsDocument,
  FoldersDocument,
  NotesDocument,
  PullChangesDocument,
  PushChangesDocument,
  type ChangeInput,
} from '../../client/generated/graphql.ts';
import { cacheOptions, type RecordRef } from '../../client/lib/cache.ts';

const CLIENT_ID = 'client-under-test';
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

type Rec = Record<string, unknown> & { __typename: string; id: string };

function note(id: string, fields: Record<string, unknown> = {}): Rec {
  return {
    __typename: 'Note',
    id,
    version: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    deleted: false,
    title: 't',
    body: 'b',
    pinned: false,
    folderId: null,
    tags: [],
    likes: 0,
    ...fields,
  };
}

function folder(id: string, fields: Record<string, unknown> = {}): Rec {
  return { __typename: 'Folder', id, version: 1, updatedAt: '2026-01-01T00:00:00.000Z', deleted: false, name: 'Work', ...fields };
}

function conflict(id: string, fields: Record<string, unknown> = {}): Rec {
  return {
    __typename: 'SyncConflict',
    id,
    version: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    deleted: false,
    kind: 'CONCURRENT_EDIT',
    entityType: 'Note',
    entityId: uuid(1),
    field: 'body',
    serverValue: 'theirs',
    clientValue: 'mine',
    survivorId: null,
    clientId: 'other',
    resolved: false,
    resolvedValue: null,
    resolvedBy: null,
    ...fields,
  };
}

/**
 * A urql client on graphcache with the sync client's options, over a network the
 * test scripts. `pending` stands for the outbox: the records its changes name.
 */
function harness(pending: RecordRef[] = []) {
  const held = new Map<string, Operation>();
  const answers = makeSubject<OperationResult>();
  let nextPull: Rec[] = [];
  let nextHasMore = false;
  const network: Exchange = () => (operations$) => {
    const shared = pipe(operations$, share);
    const mutations$ = pipe(
      shared,
      filter((op) => op.kind === 'mutation'),
      onPush((op) => held.set((op.variables as { changes: ChangeInput[] }).changes[0]!.mutationId, op)),
      filter(() => false),
    );
    const pulls$ = pipe(
      shared,
      filter((op) => op.kind === 'query'),
      map((op) => {
        const records = nextPull;
        nextPull = [];
        return makeResult(op, {
          data: {
            __typename: 'Query',
            pullChanges: {
              __typename: 'ChangeBatch',
              syncToken: 't',
              hasMore: nextHasMore,
              changes: records.map((record) => ({
                __typename: 'Change',
                entityType: record.__typename,
                entityId: record.id,
                op: record.deleted ? 'DELETE' : 'UPDATE',
                changedFields: [],
                clientId: 'other',
                mutationId: null,
                record,
              })),
            },
          },
        });
      }),
    );
    return merge([mutations$ as never, pulls$, answers.source]);
  };
  const urql = new Client({ url: 'http://unused/graphql', exchanges: [cacheExchange(cacheOptions(() => pending)), network] });
  let counter = 0;

  return {
    /** Records arriving by a pull from a token, as from other clients. */
    async pull(...records: Rec[]) {
      nextPull = records;
      nextHasMore = false;
      await urql.query(PullChangesDocument, { since: 't' }, { requestPolicy: 'network-only' }).toPromise();
    },
    /** The first page of a full sync (since: null), with more to come. */
    async startFullSync(...records: Rec[]) {
      nextPull = records;
      nextHasMore = true;
      await urql.query(PullChangesDocument, { since: null }, { requestPolicy: 'network-only' }).toPromise();
    },
    /** A further page from a token; `hasMore` false makes it the last. */
    async nextPage(hasMore: boolean, ...records: Rec[]) {
      nextPull = records;
      nextHasMore = hasMore;
      await urql.query(PullChangesDocument, { since: `t-${++counter}` }, { requestPolicy: 'network-only' }).toPromise();
    },
    /** A local change, held (as the outbox holds it) until `answer`. */
    send(change: Omit<ChangeInput, 'mutationId'>): string {
      const mutationId = `m-${++counter}`;
      void urql.mutation(PushChangesDocument, { clientId: CLIENT_ID, changes: [{ ...change, mutationId }] }).toPromise();
      return mutationId;
    },
    answer(mutationId: string, result: { status: string; record: Rec | null; error?: { code: string; message: string }; conflicts?: Rec[] }) {
      const op = held.get(mutationId);
      if (!op) throw new Error(`no held mutation ${mutationId}`);
      held.delete(mutationId);
      answers.next(
        makeResult(op, {
          data: {
            __typename: 'Mutation',
            pushChanges: {
              __typename: 'PushResult',
              results: [
                {
                  __typename: 'ChangeResult',
                  mutationId,
                  status: result.status,
                  conflictingFields: [],
                  error: result.error ? { __typename: 'SyncError', ...result.error } : null,
                  record: result.record,
                  conflicts: result.conflicts ?? [],
                },
              ],
            },
          },
        }),
      );
    },
    notes: () => urql.readQuery(NotesDocument, {})?.data?.notes ?? null,
    note: (id: string) => urql.readQuery(NotesDocument, {})?.data?.notes.find((n) => n.id === id),
    folders: () => urql.readQuery(FoldersDocument, {})?.data?.folders ?? null,
    conflicts: () => urql.readQuery(ConflictsDocument, {})?.data?.conflicts ?? null,
  };
}

const ids = (records: readonly { id: string }[] | null) => records?.map((r) => r.id) ?? null;

describe('the lists', () => {
  it('of folders and conflicts follow pulls: live records enter, tombstones leave', async () => {
    const h = harness();
    await h.pull(folder(uuid(10)), folder(uuid(11), { name: 'Home' }), conflict(uuid(20)));
    expect(ids(h.folders())).toEqual([uuid(10), uuid(11)]);
    expect(h.conflicts()).toEqual([expect.objectContaining({ id: uuid(20), kind: 'CONCURRENT_EDIT', serverValue: 'theirs', clientValue: 'mine' })]);
    await h.pull(folder(uuid(10), { version: 2, deleted: true }), conflict(uuid(20), { version: 2, deleted: true, resolved: true }));
    expect(ids(h.folders())).toEqual([uuid(11)]);
    expect(h.conflicts()).toEqual([]);
  });

  it('take back a note that comes back alive (an edit resurrected it)', async () => {
    const h = harness();
    await h.pull(note(uuid(1)), note(uuid(2)));
    await h.pull(note(uuid(1), { version: 2, deleted: true }));
    expect(ids(h.notes())).toEqual([uuid(2)]);
    await h.pull(note(uuid(1), { version: 3, deleted: false, title: 'back' }));
    expect(ids(h.notes())).toEqual([uuid(2), uuid(1)]);
    expect(h.note(uuid(1))).toMatchObject({ title: 'back', version: 3 });
  });

  it('take back a note whose delete the server refused (RECORD_EDITED)', async () => {
    const h = harness();
    await h.pull(note(uuid(1)));
    const del = h.send({ entityType: 'Note', entityId: uuid(1), op: 'DELETE', baseVersion: 1 });
    expect(h.notes()).toEqual([]);
    h.answer(del, { status: 'CONFLICT', error: { code: 'RECORD_EDITED', message: 'edited' }, record: note(uuid(1), { version: 2, title: 'edited elsewhere' }) });
    await Promise.resolve();
    expect(h.notes()).toEqual([expect.objectContaining({ id: uuid(1), version: 2, title: 'edited elsewhere' })]);
  });
});

describe('a full sync', () => {
  it('drops what the server no longer returns (a compacted tombstone), unless a pending change names it', async () => {
    const pending: RecordRef[] = [];
    const h = harness(pending);
    await h.pull(note(uuid(1)), note(uuid(2)), note(uuid(3)), folder(uuid(10)), folder(uuid(11)), conflict(uuid(20)));
    // Local changes not answered yet: an edit of note 3 and a new note 4.
    h.send({ entityType: 'Note', entityId: uuid(3), op: 'UPDATE', data: { title: 'mine' }, baseVersion: 1 });
    h.send({ entityType: 'Note', entityId: uuid(4), op: 'INSERT', data: { title: 'new', body: '', pinned: false } });
    pending.push({ entityType: 'Note', entityId: uuid(3) }, { entityType: 'Note', entityId: uuid(4) });

    // Notes 2 and 3, folder 11 and the conflict were deleted elsewhere and their tombstones compacted away.
    await h.startFullSync(note(uuid(1), { version: 2, title: 'newer' }));
    await h.nextPage(true);
    // Not the last page yet: nothing is dropped.
    expect(ids(h.notes())).toEqual([uuid(1), uuid(2), uuid(3), uuid(4)]);
    await h.nextPage(false, folder(uuid(10)));

    expect(ids(h.notes())?.sort()).toEqual([uuid(1), uuid(3), uuid(4)]);
    expect(h.note(uuid(1))).toMatchObject({ title: 'newer', version: 2 });
    expect(h.note(uuid(3))).toMatchObject({ title: 'mine' });
    expect(ids(h.folders())).toEqual([uuid(10)]);
    expect(h.conflicts()).toEqual([]);
  });

  it('keeps what arrived meanwhile by a push answer; pulls from a token drop nothing', async () => {
    const h = harness();
    await h.pull(note(uuid(1)), note(uuid(2)));
    await h.pull(note(uuid(3)));
    await h.nextPage(false);
    expect(ids(h.notes())).toEqual([uuid(1), uuid(2), uuid(3)]);

    await h.startFullSync(note(uuid(1)));
    const edit = h.send({ entityType: 'Note', entityId: uuid(2), op: 'UPDATE', data: { title: 'mine' }, baseVersion: 1 });
    h.answer(edit, { status: 'APPLIED', record: note(uuid(2), { version: 2, title: 'mine' }) });
    await Promise.resolve();
    await h.nextPage(false);
    expect(ids(h.notes())).toEqual([uuid(1), uuid(2)]);
    expect(h.note(uuid(2))).toMatchObject({ title: 'mine', version: 2 });
  });
});

describe('optimistic edits', () => {
  it('show an inserted note with the server defaults for what it leaves out, and a sorted set', async () => {
    const h = harness();
    await h.pull(note(uuid(1)));
    h.send({ entityType: 'Note', entityId: uuid(2), op: 'INSERT', data: { title: 'new', body: '', pinned: false } });
    h.send({ entityType: 'Note', entityId: uuid(3), op: 'INSERT', data: { title: 'tagged', body: '', pinned: false, tags: ['b', 'a', 'b'], likes: 2 } });
    expect(h.note(uuid(2))).toMatchObject({ version: 0, tags: [], likes: 0, folderId: null });
    expect(h.note(uuid(3))).toMatchObject({ tags: ['a', 'b'], likes: 2 });
  });

  it('add increments on top of pending ones, and end at the server values', async () => {
    const h = harness();
    await h.pull(note(uuid(1), { likes: 2 }));
    const first = h.send({ entityType: 'Note', entityId: uuid(1), op: 'UPDATE', data: { likes: { inc: 1 } }, baseVersion: 1 });
    expect(h.note(uuid(1))?.likes).toBe(3);
    const second = h.send({ entityType: 'Note', entityId: uuid(1), op: 'UPDATE', data: { likes: { inc: 2 } }, baseVersion: 1 });
    expect(h.note(uuid(1))?.likes).toBe(5);
    h.answer(first, { status: 'APPLIED', record: note(uuid(1), { version: 2, likes: 3 }) });
    await Promise.resolve();
    expect(h.note(uuid(1))?.likes).toBe(5);
    // The server also counted another client's +4 in between.
    h.answer(second, { status: 'MERGED', record: note(uuid(1), { version: 4, likes: 9 }) });
    await Promise.resolve();
    expect(h.note(uuid(1))).toMatchObject({ likes: 9, version: 4 });
  });

  it('apply set adds and removes at once, sorted and without repeats, on top of pending ones', async () => {
    const h = harness();
    await h.pull(note(uuid(1), { tags: ['home', 'work'] }));
    h.send({ entityType: 'Note', entityId: uuid(1), op: 'UPDATE', data: { tags: { add: ['urgent', 'home'], remove: ['work'] } }, baseVersion: 1 });
    expect(h.note(uuid(1))?.tags).toEqual(['home', 'urgent']);
    h.send({ entityType: 'Note', entityId: uuid(1), op: 'UPDATE', data: { tags: { add: ['Zed', 'a'] } }, baseVersion: 1 });
    expect(h.note(uuid(1))?.tags).toEqual(['Zed', 'a', 'home', 'urgent']);
  });

  it('file a note into the survivor of a folder merged away (as the server rewrites the reference)', async () => {
    const h = harness();
    const survivor = uuid(10);
    const merged = uuid(11);
    await h.pull(folder(survivor), conflict(uuid(20), { kind: 'DUPLICATE_VALUE', entityType: 'Folder', entityId: merged, field: 'name', serverValue: null, clientValue: 'Work', survivorId: survivor, resolved: true }));
    h.send({ entityType: 'Note', entityId: uuid(1), op: 'INSERT', data: { title: 'n', body: '', pinned: false, folderId: merged } });
    expect(h.note(uuid(1))?.folderId).toBe(survivor);
    h.send({ entityType: 'Note', entityId: uuid(1), op: 'UPDATE', data: { folderId: uuid(12) } });
    expect(h.note(uuid(1))?.folderId).toBe(uuid(12));
  });
});

describe('a CONFLICT answer', () => {
  it('replaces the optimistic edit with the server record and puts its conflicts into the list', async () => {
    const h = harness();
    await h.pull(note(uuid(1), { body: 'theirs', version: 2 }));
    const edit = h.send({ entityType: 'Note', entityId: uuid(1), op: 'UPDATE', data: { body: 'mine', pinned: true }, baseVersion: 1 });
    expect(h.note(uuid(1))).toMatchObject({ body: 'mine', pinned: true });
    h.answer(edit, {
      status: 'CONFLICT',
      error: { code: 'CONCURRENT_EDIT', message: 'held back' },
      record: note(uuid(1), { body: 'theirs', pinned: true, version: 3 }),
      conflicts: [conflict(uuid(20), { clientId: CLIENT_ID })],
    });
    await Promise.resolve();
    expect(h.note(uuid(1))).toMatchObject({ body: 'theirs', pinned: true, version: 3 });
    expect(h.conflicts()).toEqual([expect.objectContaining({ id: uuid(20), serverValue: 'theirs', clientValue: 'mine', resolved: false })]);
  });

  it('of a duplicate folder turns it into a tombstone and lists the notice', async () => {
    const h = harness();
    await h.pull(folder(uuid(10)));
    const insert = h.send({ entityType: 'Folder', entityId: uuid(11), op: 'INSERT', data: { name: 'Work' } });
    expect(ids(h.folders())).toEqual([uuid(10), uuid(11)]);
    h.answer(insert, {
      status: 'CONFLICT',
      error: { code: 'DUPLICATE_MERGED', message: 'merged' },
      record: folder(uuid(11), { deleted: true }),
      conflicts: [conflict(uuid(20), { kind: 'DUPLICATE_VALUE', entityType: 'Folder', entityId: uuid(11), field: 'name', clientValue: 'Work', survivorId: uuid(10), resolved: true })],
    });
    await Promise.resolve();
    expect(ids(h.folders())).toEqual([uuid(10)]);
    expect(h.conflicts()).toEqual([expect.objectContaining({ kind: 'DUPLICATE_VALUE', survivorId: uuid(10) })]);
  });
});

describe('settling a conflict', () => {
  it('shows the chosen value and takes the conflict off the list at once; a refusal undoes both', async () => {
    const h = harness();
    await h.pull(note(uuid(1), { body: 'theirs', version: 2 }), conflict(uuid(20)));
    const settle = h.send({ entityType: 'SyncConflict', entityId: uuid(20), op: 'UPDATE', data: { resolvedValue: 'both' }, baseVersion: 1 });
    expect(h.conflicts()).toEqual([]);
    expect(h.note(uuid(1))).toMatchObject({ body: 'both', version: 2 });
    h.answer(settle, { status: 'REJECTED', error: { code: 'INVALID_FIELD_VALUE', message: 'no' }, record: null });
    await Promise.resolve();
    expect(ids(h.conflicts())).toEqual([uuid(20)]);
    expect(h.note(uuid(1))).toMatchObject({ body: 'theirs' });
  });

  it('ends with the server: the conflict tombstone, and the note as it arrives', async () => {
    const h = harness();
    await h.pull(note(uuid(1), { body: 'theirs', version: 2 }), conflict(uuid(20)));
    const settle = h.send({ entityType: 'SyncConflict', entityId: uuid(20), op: 'UPDATE', data: { resolvedValue: 'both' }, baseVersion: 1 });
    await h.pull(note(uuid(1), { body: 'both', version: 3 }));
    h.answer(settle, { status: 'APPLIED', record: conflict(uuid(20), { version: 2, deleted: true, resolved: true, resolvedValue: 'both', resolvedBy: CLIENT_ID }) });
    await Promise.resolve();
    expect(h.conflicts()).toEqual([]);
    expect(h.note(uuid(1))).toMatchObject({ body: 'both', version: 3 });
  });

  it('by dismissing keeps the record as it is', async () => {
    const h = harness();
    await h.pull(note(uuid(1), { body: 'theirs', version: 2 }), conflict(uuid(20)));
    h.send({ entityType: 'SyncConflict', entityId: uuid(20), op: 'DELETE', baseVersion: 1 });
    expect(h.conflicts()).toEqual([]);
    expect(h.note(uuid(1))).toMatchObject({ body: 'theirs', version: 2 });
  });
});
