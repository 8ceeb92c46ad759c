import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { deleteNote, newNote, pull, pullAll, push, PUSH, updateNote } from '../helpers/sync.ts';

let gw: TestGateway;
beforeAll(async () => (gw = await startTestGateway()));
afterAll(async () => gw?.close());

describe('push and pull', () => {
  it('applies INSERT, UPDATE and DELETE and pulls them in server order with server time', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote({ title: 'first', body: 'draft' });
    const before = Date.now();
    const [inserted] = await push(gw, token, [note]);
    expect(inserted).toMatchObject({ mutationId: note.mutationId, status: 'APPLIED', error: null });
    expect(inserted.record).toMatchObject({ __typename: 'Note', id: note.entityId, version: 1, deleted: false, title: 'first', folderId: null });
    const updatedAt = Date.parse(inserted.record.updatedAt);
    expect(updatedAt).toBeGreaterThanOrEqual(before - 5);
    expect(updatedAt).toBeLessThanOrEqual(Date.now() + 5);

    const [updated] = await push(gw, token, [updateNote(note.entityId, { body: 'final' }, 1)]);
    expect(updated).toMatchObject({ status: 'APPLIED', record: { version: 2, title: 'first', body: 'final' } });
    const [deleted] = await push(gw, token, [deleteNote(note.entityId, 2)]);
    expect(deleted).toMatchObject({ status: 'APPLIED', record: { version: 3, deleted: true } });

    const { changes } = await pull(gw, token);
    expect(changes.map((c) => [c.op, c.record.version, c.changedFields])).toEqual([
      ['INSERT', 1, ['title', 'body', 'pinned', 'folderId', 'tags', 'likes']],
      ['UPDATE', 2, ['body']],
      ['DELETE', 3, []],
    ]);
    expect(changes.every((c) => c.clientId === 'client-a' && c.entityId === note.entityId)).toBe(true);
    // Each change carries the record as it was right after it, not the newest state.
    expect(changes[1].record).toMatchObject({ body: 'final', deleted: false });
  });

  it('keeps a deleted record as a tombstone, never a hard delete', async () => {
    const workspace = newWorkspace();
    const token = await gw.token(workspace);
    const note = newNote({ title: 'to delete' });
    await push(gw, token, [note, deleteNote(note.entityId)]);
    const result: unknown = await gw.database.db.execute(
      sql`select deleted, title, version from notes where workspace_id = ${workspace} and id = ${note.entityId}`,
    );
    // postgres.js returns the rows; PGlite returns { rows }.
    const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
    expect(rows).toEqual([{ deleted: true, title: 'to delete', version: 2 }]);
  });

  it('does not resurrect a deleted record by itself: UPDATE and DELETE of a tombstone seen are reported as conflicts', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote();
    await push(gw, token, [note]);
    await push(gw, token, [deleteNote(note.entityId, 1)], 'client-b');
    const { syncToken } = await pull(gw, token);
    // From version 2 the client had seen the delete (Notes resurrect only on edits that had not: see strategies tests).
    const results = await push(gw, token, [updateNote(note.entityId, { title: 'edited after all' }, 2), deleteNote(note.entityId, 2)]);
    for (const result of results) {
      expect(result).toMatchObject({ status: 'CONFLICT', error: { code: 'RECORD_DELETED' }, record: { deleted: true, version: 2 } });
    }
    expect((await pull(gw, token, syncToken)).changes).toEqual([]);
  });

  it('rejects an invalid change with a code and still applies the rest of the batch', async () => {
    const token = await gw.token(newWorkspace());
    const a = newNote({ title: 'a' });
    const b = newNote({ title: 'b' });
    const results = await push(gw, token, [
      a,
      { ...newNote(), data: { title: 't', body: 'b', pinned: false, colour: 'red' } },
      { ...newNote(), entityType: 'Spaceship' },
      updateNote(randomUUID(), { title: 'ghost' }),
      b,
    ]);
    expect(results.map((r) => [r.status, r.error?.code ?? null])).toEqual([
      ['APPLIED', null],
      ['REJECTED', 'UNKNOWN_FIELD'],
      ['REJECTED', 'UNKNOWN_ENTITY_TYPE'],
      ['REJECTED', 'RECORD_NOT_FOUND'],
      ['APPLIED', null],
    ]);
    expect((await pull(gw, token)).changes.map((c) => c.record.title)).toEqual(['a', 'b']);
  });

  it('answers one result per change, in input order, for a large batch', async () => {
    const token = await gw.token(newWorkspace());
    const notes = Array.from({ length: 1000 }, (_, i) => newNote({ title: `n${i}` }));
    const results = await push(gw, token, notes);
    expect(results.map((r) => r.mutationId)).toEqual(notes.map((n) => n.mutationId));
    expect(results.every((r) => r.status === 'APPLIED')).toBe(true);
    const { changes, pages } = await pullAll(gw, token, null, 5000);
    expect(pages).toBe(1);
    expect(changes.map((c) => c.record.title)).toEqual(notes.map((_, i) => `n${i}`));
  });
});

describe('idempotent replay', () => {
  it('answers DUPLICATE with the current record and writes nothing when a batch is replayed', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote({ title: 'once' });
    const edit = updateNote(note.entityId, { title: 'twice?' }, 1);
    const first = await push(gw, token, [note, edit]);
    expect(first.map((r) => r.status)).toEqual(['APPLIED', 'APPLIED']);
    const { syncToken } = await pull(gw, token);

    const replay = await push(gw, token, [note, edit]);
    expect(replay.map((r) => r.status)).toEqual(['DUPLICATE', 'DUPLICATE']);
    for (const result of replay) expect(result.record).toMatchObject({ id: note.entityId, version: 2, title: 'twice?' });
    expect((await pull(gw, token, syncToken)).changes).toEqual([]);
  });

  it('treats a repeated mutation id inside one batch as a duplicate', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote();
    const results = await push(gw, token, [note, { ...updateNote(note.entityId, { title: 'x' }), mutationId: note.mutationId }]);
    expect(results.map((r) => r.status)).toEqual(['APPLIED', 'DUPLICATE']);
    expect((await pull(gw, token)).changes).toHaveLength(1);
  });

  it('scopes mutation ids to the client', async () => {
    const token = await gw.token(newWorkspace());
    const a = newNote();
    const b = { ...newNote(), mutationId: a.mutationId };
    expect((await push(gw, token, [a], 'client-a'))[0].status).toBe('APPLIED');
    expect((await push(gw, token, [b], 'client-b'))[0].status).toBe('APPLIED');
  });

  it('retries a rejected change when it is sent again, since nothing was applied', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote();
    const early = updateNote(note.entityId, { title: 'arrived before its insert' });
    expect((await push(gw, token, [early]))[0]).toMatchObject({ status: 'REJECTED', error: { code: 'RECORD_NOT_FOUND' } });
    await push(gw, token, [note], 'client-b');
    expect((await push(gw, token, [early]))[0]).toMatchObject({ status: 'APPLIED', record: { title: 'arrived before its insert' } });
  });
});

describe('conflicts', () => {
  it('merges concurrent edits of different fields (MERGED) and both survive', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote({ title: 'v1', body: 'v1' });
    await push(gw, token, [note]);
    const [a] = await push(gw, token, [updateNote(note.entityId, { title: 'title by A' }, 1)], 'client-a');
    expect(a.status).toBe('APPLIED');
    const [b] = await push(gw, token, [updateNote(note.entityId, { body: 'body by B' }, 1)], 'client-b');
    expect(b).toMatchObject({ status: 'MERGED', conflictingFields: [], record: { version: 3, title: 'title by A', body: 'body by B' } });
  });

  it('settles a concurrent edit of the same field by server arrival and reports it', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote({ title: 'v1' });
    await push(gw, token, [note]);
    await push(gw, token, [updateNote(note.entityId, { pinned: true }, 1)], 'client-a');
    const [b] = await push(gw, token, [updateNote(note.entityId, { title: 'B', pinned: false }, 1)], 'client-b');
    // pinned is MERGE (reported), title LWW (not reported).
    expect(b).toMatchObject({ status: 'MERGED', conflictingFields: ['pinned'], record: { title: 'B', pinned: false, version: 3 } });
    // A later edit from the new version is a plain APPLIED again.
    const [c] = await push(gw, token, [updateNote(note.entityId, { pinned: true }, 3)], 'client-a');
    expect(c).toMatchObject({ status: 'APPLIED', conflictingFields: [] });
  });

  it('applies a client’s edits in one batch in order, each on top of the last', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote();
    await push(gw, token, [note]);
    const results = await push(gw, token, [
      updateNote(note.entityId, { title: 'first' }, 1),
      updateNote(note.entityId, { title: 'second' }, 1),
      updateNote(note.entityId, { body: 'third' }, 1),
    ]);
    expect(results.map((r) => [r.status, r.conflictingFields, r.record.version])).toEqual([
      ['APPLIED', [], 2],
      ['APPLIED', [], 3],
      ['APPLIED', [], 4],
    ]);
    expect(results[2].record).toMatchObject({ title: 'second', body: 'third' });
  });

  it('does not count a client’s own earlier edits as concurrent (offline edits made in order)', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote();
    await push(gw, token, [note], 'client-a');
    // Two edits made offline from version 1, sent in one replay and in two.
    const results = await push(gw, token, [updateNote(note.entityId, { body: 'one' }, 1), updateNote(note.entityId, { body: 'two' }, 1)], 'client-a');
    expect(results.map((r) => [r.status, r.conflictingFields])).toEqual([['APPLIED', []], ['APPLIED', []]]);
    const [later] = await push(gw, token, [updateNote(note.entityId, { body: 'three', pinned: true }, 1)], 'client-a');
    expect(later).toMatchObject({ status: 'APPLIED', record: { version: 4, body: 'three' } });
    // Another client editing from version 1 did run concurrently with all of them.
    const [other] = await push(gw, token, [updateNote(note.entityId, { pinned: false }, 1)], 'client-b');
    expect(other).toMatchObject({ status: 'MERGED', conflictingFields: ['pinned'] });
  });

  it('rejects a base version the server never had', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote();
    await push(gw, token, [note]);
    expect((await push(gw, token, [updateNote(note.entityId, { title: 'x' }, 5)]))[0]).toMatchObject({
      status: 'REJECTED',
      error: { code: 'INVALID_BASE_VERSION' },
    });
  });
});

describe('list queries', () => {
  it('lists the live notes of the caller’s workspace, without tombstones', async () => {
    const token = await gw.token(newWorkspace());
    const kept = newNote({ title: 'kept' });
    const gone = newNote({ title: 'gone' });
    await push(gw, token, [kept, gone, deleteNote(gone.entityId)]);
    await push(gw, await gw.token(newWorkspace()), [newNote({ title: 'other workspace' })]);
    const response = await gw.graphql(token, '{ notes { __typename id version title deleted } }');
    expect(response.data.notes).toEqual([{ __typename: 'Note', id: kept.entityId, version: 1, title: 'kept', deleted: false }]);
    expect((await gw.graphql(null, '{ notes { id } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('pagination', () => {
  it('pages across hasMore with every change exactly once', async () => {
    const token = await gw.token(newWorkspace());
    const notes = Array.from({ length: 23 }, (_, i) => newNote({ title: `n${i}` }));
    await push(gw, token, notes);
    const pages: boolean[] = [];
    let since: string | null = null;
    const titles: string[] = [];
    for (;;) {
      const page = await pull(gw, token, since, 5);
      pages.push(page.hasMore);
      titles.push(...page.changes.map((c) => c.record.title));
      since = page.syncToken;
      if (!page.hasMore) break;
    }
    expect(pages).toEqual([true, true, true, true, false]);
    expect(titles).toEqual(notes.map((_, i) => `n${i}`));
    const caughtUp = await pull(gw, token, since);
    expect(caughtUp).toMatchObject({ changes: [], hasMore: false, syncToken: since });
  });

  it('uses the default page of 500', async () => {
    const token = await gw.token(newWorkspace());
    await push(gw, token, Array.from({ length: 501 }, () => newNote()));
    const first = await pull(gw, token);
    expect(first.changes).toHaveLength(500);
    expect(first.hasMore).toBe(true);
    const second = await pull(gw, token, first.syncToken);
    expect(second.changes).toHaveLength(1);
    expect(second.hasMore).toBe(false);
  });
});

describe('atomicity', () => {
  it('applies nothing of a batch when the database fails in the middle of it', async () => {
    const token = await gw.token(newWorkspace());
    const accepted = newNote({ title: 'accepted before' });
    await push(gw, token, [accepted]);
    const { syncToken } = await pull(gw, token);

    await gw.database.db.execute(sql`
      create or replace function fail_on_explode() returns trigger language plpgsql as $$
      begin
        if new.title = 'explode' then raise exception 'injected fault'; end if;
        return new;
      end $$`);
    await gw.database.db.execute(sql`create trigger fail_on_explode before insert or update on notes for each row execute function fail_on_explode()`);
    try {
      const batch = [newNote({ title: 'ok 1' }), updateNote(accepted.entityId, { body: 'edited' }, 1), newNote({ title: 'explode' })];
      const response = await gw.graphql(token, PUSH, { clientId: 'client-a', changes: batch });
      expect(response.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(response.errors?.[0]?.message).not.toContain('injected fault');

      expect((await pull(gw, token, syncToken)).changes).toEqual([]);
      const { changes } = await pull(gw, token);
      expect(changes.map((c) => c.record)).toEqual([expect.objectContaining({ title: 'accepted before', body: '', version: 1 })]);

      // The batch was not recorded as applied: sent again without the fault, it applies once.
      batch[2] = { ...batch[2]!, data: { title: 'fixed', body: '', pinned: false } };
      const retry = await push(gw, token, batch);
      expect(retry.map((r) => r.status)).toEqual(['APPLIED', 'APPLIED', 'APPLIED']);
    } finally {
      await gw.database.db.execute(sql`drop trigger if exists fail_on_explode on notes`);
    }
  });
});
