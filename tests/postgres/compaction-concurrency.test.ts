/**
 * Compaction running while writers push and readers pull (real PostgreSQL only:
 * PGlite has one connection, so nothing overlaps there).
 *
 * Writers insert, edit and delete their notes; a compactor drops everything it
 * may, in small batches, with a cutoff of "now", over and over; readers pull
 * small pages from their tokens and, when told SYNC_TOKEN_EXPIRED, start over
 * with a full sync, as the client does. Afterwards nothing acknowledged is lost:
 * the tables hold every writer's last state, a full sync returns exactly the live
 * records, and every reader ends with the same.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactChangeLog } from '../../server/sync/compaction.ts';
import { newWorkspace, startTestGateway, type GraphQLResponse, type TestGateway } from '../helpers/gateway.ts';
import { deleteNote, newNote, PULL, pullAll, push, updateNote, type ChangeInput } from '../helpers/sync.ts';

let gw: TestGateway;
beforeAll(async () => (gw = await startTestGateway({ poolSize: 16 })));
afterAll(async () => gw?.close());

type NoteState = { version: number; title: string; deleted: boolean };

/** Pushes of 1 to 3 changes to its own notes; returns each note's last state as the server answered it. */
async function runWriter(token: string, clientId: string, pushes: number): Promise<Map<string, NoteState>> {
  const notes = new Map<string, NoteState>();
  for (let p = 0; p < pushes; p++) {
    const changes: ChangeInput[] = [];
    const live = [...notes].filter(([, note]) => !note.deleted);
    const touched = new Set<string>();
    for (let c = 0; c < 1 + (p % 3); c++) {
      const candidate = live[(p * 7 + c * 3) % Math.max(live.length, 1)];
      if (!candidate || touched.has(candidate[0]) || (p + c) % 4 === 0) {
        changes.push(newNote({ title: `${clientId}-${p}-${c}` }));
        continue;
      }
      const [id, note] = candidate;
      touched.add(id);
      changes.push((p + c) % 5 === 0 ? deleteNote(id, note.version) : updateNote(id, { title: `${clientId}-${p}-${c}` }, note.version));
    }
    const results = await push(gw, token, changes, clientId);
    for (const result of results) {
      expect(result.status).toBe('APPLIED');
      notes.set(result.record.id, { version: result.record.version, title: result.record.title, deleted: result.record.deleted });
    }
  }
  return notes;
}

/**
 * Pulls pages of 3 until told to stop and caught up; a full sync replaces what it
 * had. `pauseMs` between pages while writers write makes a reader fall behind,
 * where compaction overtakes it.
 */
async function runReader(token: string, done: () => boolean, pauseMs: number) {
  let records = new Map<string, NoteState>();
  let since: string | null = null;
  let restarts = 0;
  for (;;) {
    // Only a page asked for after the writers stopped can be the last one needed.
    const last = done();
    const response: GraphQLResponse = await gw.graphql(token, PULL, { since, limit: 3 });
    if (response.errors) {
      expect(response.errors[0]!.extensions?.code).toBe('SYNC_TOKEN_EXPIRED');
      restarts += 1;
      since = null;
      continue;
    }
    const page: { syncToken: string; hasMore: boolean; changes: any[] } = response.data.pullChanges;
    if (since === null) records = new Map();
    for (const change of page.changes) {
      records.set(change.entityId, { version: change.record.version, title: change.record.title, deleted: change.record.deleted });
    }
    since = page.syncToken;
    if (!page.hasMore && last) return { records, restarts };
    if (!done()) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

const live = (records: Map<string, NoteState>) =>
  Object.fromEntries([...records].filter(([, note]) => !note.deleted).sort(([a], [b]) => a.localeCompare(b)));

describe('compaction concurrent with pushes and pulls', () => {
  it('loses nothing', async () => {
    const workspace = newWorkspace();
    const token = await gw.token(workspace);
    let writing = true;
    let dropped = 0;
    let passes = 0;
    const compactor = (async () => {
      while (writing) {
        const report = await compactChangeLog(gw.database.db, { cutoff: new Date(), workspaceIds: [workspace], batchSize: 5 });
        dropped += report.dropped;
        passes += 1;
      }
    })();
    const writers = Promise.all([0, 1, 2, 3].map((w) => runWriter(token, `writer-${w}`, 40)));
    const readers = Promise.all([0, 250].map((pauseMs) => runReader(token, () => !writing, pauseMs)));
    const written = await writers.finally(() => (writing = false));
    await compactor;
    // The readers finish after the writers, from whatever token they hold.
    const read = await readers;
    const final = await compactChangeLog(gw.database.db, { cutoff: new Date(), workspaceIds: [workspace] });
    console.log(
      `compaction under load: ${passes} passes dropped ${dropped} entries meanwhile, ${final.dropped} at the end; reader restarts: ${read.map((r) => r.restarts).join(', ')}`,
    );
    expect(dropped).toBeGreaterThan(0);

    // The tables hold every writer's last acknowledged state (tombstones included).
    const expected = new Map([...written].flatMap((notes) => [...notes]));
    // postgres.js returns the rows.
    const result: unknown = await gw.database.db.execute(sql`select id, version, title, deleted from notes where workspace_id = ${workspace}`);
    const tables = new Map((result as { id: string; version: number; title: string; deleted: boolean }[]).map((r) => [r.id, { version: r.version, title: r.title, deleted: r.deleted }]));
    expect(Object.fromEntries([...tables].sort(([a], [b]) => a.localeCompare(b)))).toEqual(
      Object.fromEntries([...expected].sort(([a], [b]) => a.localeCompare(b))),
    );

    // A full sync now returns exactly the live records, one entry each.
    const full = await pullAll(gw, token, null, 50);
    const fullState = new Map(full.changes.map((c) => [c.entityId, { version: c.record.version, title: c.record.title, deleted: c.record.deleted }]));
    expect(full.changes).toHaveLength(fullState.size);
    expect(Object.fromEntries([...fullState].sort(([a], [b]) => a.localeCompare(b)))).toEqual(live(expected));
    // Every reader ends with the live records, whether it restarted or not.
    for (const reader of read) expect(live(reader.records)).toEqual(live(expected));
  });
});
