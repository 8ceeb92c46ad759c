/**
 * Change-log compaction: which entries go and which stay, the floor, what a
 * token from before the floor gets (SYNC_TOKEN_EXPIRED, on pull and on the
 * subscription, also mid-stream), that a token at or after the floor misses
 * nothing, that a full sync afterwards equals the state before, a push whose
 * baseVersion predates the compacted history, and the gateway's schedule.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../server/app.ts';
import { compactChangeLog } from '../../server/sync/compaction.ts';
import { LocalChangeNotifier, type ChangeListener, type ChangeNotifier } from '../../server/sync/notifier.ts';
import { createLogger } from '../../server/logger.ts';
import { newWorkspace, startTestGateway, testGatewayConfig, type TestGateway } from '../helpers/gateway.ts';
import { TRANSPORTS, subscribeChanges, waitFor, waitForErrorCodes } from '../helpers/subscribe.ts';
import { deleteNote, newNote, pull, pullAll, push, updateNote } from '../helpers/sync.ts';

/**
 * Delivers wake-ups only while open: with it held, a live subscription stays at
 * its position while the log grows, so a test can compact under it first.
 */
class HoldableNotifier implements ChangeNotifier {
  readonly #inner = new LocalChangeNotifier();
  readonly #held: [string, number][] = [];
  holding = false;

  publish(workspaceId: string, seq: number) {
    if (this.holding) this.#held.push([workspaceId, seq]);
    else this.#inner.publish(workspaceId, seq);
  }
  subscribe(workspaceId: string, listener: ChangeListener) {
    return this.#inner.subscribe(workspaceId, listener);
  }
  listenerCount(workspaceId: string) {
    return this.#inner.listenerCount(workspaceId);
  }
  release() {
    this.holding = false;
    for (const [workspaceId, seq] of this.#held.splice(0)) this.#inner.publish(workspaceId, seq);
  }
}

const notifier = new HoldableNotifier();
let gw: TestGateway;
beforeAll(async () => (gw = await startTestGateway({ gateway: { notifier }, limits: { defaultPageSize: 3 } })));
afterAll(async () => gw?.close());

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  const result: unknown = await gw.database.db.execute(query);
  // postgres.js returns the rows; PGlite returns { rows }.
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

async function logOf(workspace: string) {
  const found = await rows<{ seq: string | number; entity_id: string; op: string; version: number }>(
    sql`select seq, entity_id, op, version from change_log where workspace_id = ${workspace} order by seq`,
  );
  return found.map((row) => ({ seq: Number(row.seq), entityId: row.entity_id, op: row.op, version: row.version }));
}

async function floorOf(workspace: string) {
  const [row] = await rows<{ compacted_seq: string | number }>(sql`select compacted_seq from sync_workspaces where id = ${workspace}`);
  return Number(row!.compacted_seq);
}

const compact = (workspace: string, cutoff = new Date()) => compactChangeLog(gw.database.db, { cutoff, workspaceIds: [workspace] });

/** Every record's last state in a list of changes, by id. */
function fold(changes: { entityId: string; record: { version: number; deleted: boolean } & Record<string, unknown> }[]) {
  const state = new Map<string, Record<string, unknown>>();
  for (const change of changes) state.set(change.entityId, change.record);
  return state;
}

async function pullError(token: string, since: string | null) {
  const response = await gw.graphql(token, 'query ($since: String) { pullChanges(since: $since) { syncToken } }', { since });
  return { code: response.errors?.[0]?.extensions?.code, message: response.errors?.[0]?.message };
}

/**
 * A workspace with: a note edited twice (only its last entry needed), a note
 * deleted (a tombstone), a note never touched again, and a deleted folder.
 */
async function seed() {
  const workspace = newWorkspace();
  const token = await gw.token(workspace);
  const edited = newNote({ title: 'edited v1' });
  const deleted = newNote({ title: 'to delete' });
  const untouched = newNote({ title: 'untouched' });
  const folder = { mutationId: crypto.randomUUID(), entityType: 'Folder', entityId: crypto.randomUUID(), op: 'INSERT' as const, data: { name: 'Old' } };
  await push(gw, token, [edited, deleted, untouched, folder]);
  await push(gw, token, [updateNote(edited.entityId, { title: 'edited v2' }, 1)]);
  await push(gw, token, [updateNote(edited.entityId, { title: 'edited v3' }, 2), deleteNote(deleted.entityId, 1)]);
  await push(gw, token, [{ mutationId: crypto.randomUUID(), entityType: 'Folder', entityId: folder.entityId, op: 'DELETE', baseVersion: 1 }]);
  return { workspace, token, edited, deleted, untouched, folder };
}

describe('compaction', () => {
  it('drops superseded entries and tombstones older than the cutoff, keeps every newest state and everything newer, and raises the floor', async () => {
    const { workspace, token, edited, deleted, untouched, folder } = await seed();
    const before = await logOf(workspace);
    expect(before).toHaveLength(8);
    const cutoff = new Date();
    // After the cutoff: a note inserted and edited. Both entries are too young to go.
    const young = newNote({ title: 'young' });
    await push(gw, token, [young]);
    await push(gw, token, [updateNote(young.entityId, { title: 'young v2' }, 1)]);

    const report = await compact(workspace, cutoff);

    const after = await logOf(workspace);
    expect(after.map(({ entityId, op, version }) => [entityId, op, version])).toEqual([
      [untouched.entityId, 'INSERT', 1],
      [edited.entityId, 'UPDATE', 3],
      [young.entityId, 'INSERT', 1],
      [young.entityId, 'UPDATE', 2],
    ]);
    // The floor is the highest dropped position: the folder's delete, the last entry before the cutoff.
    const folderDelete = before.find((e) => e.entityId === folder.entityId && e.op === 'DELETE')!;
    expect(await floorOf(workspace)).toBe(folderDelete.seq);
    expect(report).toEqual({ cutoff, workspaces: 1, dropped: 6, compacted: [{ workspaceId: workspace, dropped: 6, floor: folderDelete.seq }] });

    // Records are never hard-deleted: the tombstones stay in their tables.
    expect(await rows(sql`select deleted, version from notes where workspace_id = ${workspace} and id = ${deleted.entityId}`)).toEqual([
      { deleted: true, version: 2 },
    ]);
    expect(await rows(sql`select deleted from folders where workspace_id = ${workspace} and id = ${folder.entityId}`)).toEqual([{ deleted: true }]);

    // A second pass has nothing left to drop and leaves the floor where it is.
    expect((await compact(workspace, cutoff)).dropped).toBe(0);
    expect(await floorOf(workspace)).toBe(folderDelete.seq);
  });

  it('leaves the log alone when nothing is older than the cutoff', async () => {
    const { workspace } = await seed();
    const report = await compact(workspace, new Date(Date.now() - 60 * 60_000));
    expect(report.dropped).toBe(0);
    expect(await logOf(workspace)).toHaveLength(8);
    expect(await floorOf(workspace)).toBe(0);
  });

  it('answers a full sync afterwards with the state before it, minus the dropped tombstones, in pages of any size', async () => {
    const { workspace, token, deleted, folder } = await seed();
    const before = fold((await pullAll(gw, token, null, 100)).changes);
    await compact(workspace);
    const floor = await floorOf(workspace);
    expect(floor).toBeGreaterThan(0);

    const expected = new Map([...before].filter(([, record]) => !record.deleted));
    expect([...expected.keys()]).not.toContain(deleted.entityId);
    expect([...expected.keys()]).not.toContain(folder.entityId);
    for (const limit of [1, 2, 100]) {
      const full = await pullAll(gw, token, null, limit);
      // One entry per live record: nothing dropped comes back.
      expect(full.changes).toHaveLength(expected.size);
      expect(fold(full.changes)).toEqual(expected);
      // Its last token stands at the floor, so it is not refused once the sync is done.
      await expect(pull(gw, token, full.syncToken)).resolves.toMatchObject({ changes: [], hasMore: false });
    }
  });

  it('refuses a token from before the floor with SYNC_TOKEN_EXPIRED; a token at or after it misses nothing', async () => {
    const { workspace, token } = await seed();
    const cutoff = new Date();
    await push(gw, token, [newNote({ title: 'young' }), newNote({ title: 'younger' })]);
    const all = (await pullAll(gw, token, null, 100)).changes;
    const early = (await pull(gw, token, null, 2)).syncToken;
    // Tokens at every position, taken before compaction, and what each was owed then.
    const tokens: { token: string; owed: string[] }[] = [];
    for (let at = 0; at <= all.length; at += 1) {
      const page = at === 0 ? null : await pull(gw, token, null, at);
      tokens.push({ token: page?.syncToken ?? '', owed: all.slice(at).map((c) => c.mutationId) });
    }
    await compact(workspace, cutoff);
    const floor = await floorOf(workspace);
    expect(floor).toBe(8);

    expect(await pullError(token, early)).toMatchObject({ code: 'SYNC_TOKEN_EXPIRED', message: expect.stringMatching(/since: null/) });
    // Position p (1-based over the log before compaction: the pages above) stands for seq p in a fresh workspace.
    for (let at = 1; at <= all.length; at += 1) {
      const { token: since, owed } = tokens[at]!;
      if (at < floor) {
        expect(await pullError(token, since)).toMatchObject({ code: 'SYNC_TOKEN_EXPIRED' });
        continue;
      }
      const rest = await pullAll(gw, token, since, 100);
      expect(rest.changes.map((c) => c.mutationId)).toEqual(owed);
    }
  });

  describe.each(TRANSPORTS)('the changes subscription over %s', (transport) => {
    it('refuses a token from before the floor at once', async () => {
      const { workspace, token } = await seed();
      const early = (await pull(gw, token, null, 1)).syncToken;
      await compact(workspace);
      const sub = subscribeChanges(gw, transport, { token, since: early });
      try {
        expect(await waitForErrorCodes(sub)).toEqual(['SYNC_TOKEN_EXPIRED']);
        expect(sub.batches).toEqual([]);
      } finally {
        await sub.dispose();
      }
    });

    it('ends a stream with SYNC_TOKEN_EXPIRED when compaction passed it, instead of skipping what was dropped', async () => {
      const { workspace, token } = await seed();
      const head = (await pullAll(gw, token)).syncToken;
      const sub = subscribeChanges(gw, transport, { token, since: head });
      try {
        await waitFor(() => sub.batches.length === 1, 'the first (empty) event');
        notifier.holding = true;
        // Behind the stream's back: a note inserted and edited (its insert is superseded), another deleted.
        const note = newNote({ title: 'unseen' });
        const gone = newNote({ title: 'gone' });
        await push(gw, token, [note, gone]);
        await push(gw, token, [updateNote(note.entityId, { title: 'unseen v2' }, 1), deleteNote(gone.entityId, 1)]);
        await compact(workspace);
        notifier.release();

        expect(await waitForErrorCodes(sub)).toEqual(['SYNC_TOKEN_EXPIRED']);
        expect(sub.changes()).toEqual([]);
      } finally {
        notifier.release();
        await sub.dispose();
      }
    });

    it('goes on from a token at the floor', async () => {
      const { workspace, token } = await seed();
      await compact(workspace);
      const head = (await pullAll(gw, token)).syncToken;
      const sub = subscribeChanges(gw, transport, { token, since: head });
      try {
        await waitFor(() => sub.batches.length === 1, 'the first (empty) event');
        const next = newNote({ title: 'after' });
        await push(gw, token, [next]);
        await waitFor(() => sub.changes().length === 1, 'the live change');
        expect(sub.changes()[0]).toMatchObject({ mutationId: next.mutationId });
        expect(sub.errors).toEqual([]);
      } finally {
        await sub.dispose();
      }
    });
  });

  describe('a push whose baseVersion predates the compacted history', () => {
    /** A note at version 4 by client-b whose versions 1 to 3 are compacted away; client-a still has version 1. */
    async function stale() {
      const workspace = newWorkspace();
      const token = await gw.token(workspace);
      const note = { ...newNote({ title: 't1', body: 'b1' }), data: { title: 't1', body: 'b1', pinned: false, tags: ['a', 'b'], likes: 1 } };
      await push(gw, token, [note], 'client-b');
      for (let v = 1; v <= 3; v += 1) await push(gw, token, [updateNote(note.entityId, { body: `b${v + 1}` }, v)], 'client-b');
      const report = await compact(workspace);
      expect(report.dropped).toBe(3);
      return { token, id: note.entityId };
    }

    it('loses nothing: the MANUAL field is held back, every other strategy applies conservatively', async () => {
      const { token, id } = await stale();
      const [result] = await push(gw, token, [
        updateNote(id, { title: 'mine', body: 'my body', pinned: true, likes: { inc: 2 }, tags: { add: ['c'], remove: ['a'] } }, 1),
      ]);
      expect(result).toMatchObject({
        status: 'CONFLICT',
        error: { code: 'CONCURRENT_EDIT' },
        conflictingFields: ['pinned'],
        record: { version: 5, title: 'mine', body: 'b4', pinned: true, likes: 3, tags: ['a', 'b', 'c'] },
      });
      expect(result.conflicts).toMatchObject([{ kind: 'CONCURRENT_EDIT', field: 'body', serverValue: 'b4', clientValue: 'my body' }]);
    });

    it('refuses a delete (the note may have been edited: EDIT_RESURRECTS), and a delete from the current version goes through', async () => {
      const { token, id } = await stale();
      const [refused] = await push(gw, token, [deleteNote(id, 2)]);
      expect(refused).toMatchObject({ status: 'CONFLICT', error: { code: 'RECORD_EDITED' }, record: { version: 4, deleted: false } });
      const [applied] = await push(gw, token, [deleteNote(id, 4)]);
      expect(applied).toMatchObject({ status: 'APPLIED', record: { version: 5, deleted: true } });
    });

    it('decides exactly when the history it needs is still there', async () => {
      const { token, id } = await stale();
      // Version 4 is kept, so from base 3 the history (client-b's body edit) is known.
      const [result] = await push(gw, token, [updateNote(id, { title: 'mine', tags: { add: [], remove: ['a'] } }, 3)]);
      expect(result).toMatchObject({ status: 'MERGED', conflictingFields: [], error: null, record: { title: 'mine', tags: ['b'] } });
    });
  });

  it('runs on the schedule the gateway starts, with the cutoff on the database clock, and stops with the gateway', async () => {
    const { workspace } = await seed();
    await gw.database.db.execute(sql`update change_log set committed_at = committed_at - interval '3 hours' where workspace_id = ${workspace}`);
    const other = await seed();
    const logged: string[] = [];
    const scheduled = await createGateway({
      database: gw.database,
      config: { ...testGatewayConfig({ limits: { maxBatchSize: 10, defaultPageSize: 10, maxPageSize: 10 } }), compaction: { horizonHours: 2, intervalMinutes: 60 } },
      appDir: null,
      logger: createLogger('info', { write: (line: string) => void logged.push(line) }),
    });
    const report = () => logged.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'compaction' && JSON.stringify(entry).includes(workspace));
    try {
      await waitFor(() => report() !== undefined, 'the first pass to be logged');
    } finally {
      await scheduled.close();
    }
    expect(await logOf(workspace)).toHaveLength(2);
    expect(report()).toMatchObject({
      workspaces: expect.arrayContaining([{ workspaceId: workspace, dropped: 6, floor: expect.any(Number) }]),
    });
    // Younger than the horizon: untouched.
    expect(await logOf(other.workspace)).toHaveLength(8);
  });
});
