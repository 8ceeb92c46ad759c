/**
 * A push sends its first reads (applied mutation ids, the batch's records) in
 * the same round trip as the workspace lock, without waiting for it. They must
 * still see everything committed by the push that held the lock before: each
 * statement takes its snapshot when it starts, which is after the lock is held,
 * only if the lock statement went out first. Real PostgreSQL only: PGlite runs
 * one transaction at a time.
 *
 * Here a transaction of the test's own holds the lock while it applies a change
 * the way a push does (record, log entry, mutation id); the gateway's push of
 * the same change and of an edit of that record waits for the lock, and must
 * then answer DUPLICATE and apply the edit on top of version 1.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { push, updateNote } from '../helpers/sync.ts';

let gw: TestGateway;
let sql: postgres.Sql;
beforeAll(async () => {
  gw = await startTestGateway();
  if (!gw.database.url) throw new Error('this test needs PostgreSQL (TEST_DATABASE=postgres)');
  sql = postgres(gw.database.url, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await gw?.close();
});

it('reads what the previous holder of the workspace lock committed', async () => {
  const workspaceId = newWorkspace();
  const token = await gw.token(workspaceId);
  const noteId = randomUUID();
  const mutationId = `m-${randomUUID()}`;
  await sql`insert into sync_workspaces (id, last_seq) values (${workspaceId}, 0)`;

  let pushing: Promise<any[]> | undefined;
  await sql.begin(async (tx) => {
    await tx`select 1 from sync_workspaces where id = ${workspaceId} for update`;
    const record = { id: noteId, version: 1, updatedAt: new Date().toISOString(), deleted: false, title: 'first', body: '', pinned: false, folderId: null, tags: [], likes: 0 };
    await tx`insert into notes (workspace_id, id, version, updated_at, deleted, title, body, pinned, folder_id, tags, likes)
             values (${workspaceId}, ${noteId}, 1, now(), false, 'first', '', false, null, '{}', 0)`;
    await tx`insert into change_log (workspace_id, seq, entity_type, entity_id, op, version, changed_fields, client_id, mutation_id, record, committed_at)
             values (${workspaceId}, 1, 'Note', ${noteId}, 'INSERT', 1, ${['title', 'body', 'pinned', 'folderId', 'tags', 'likes']}, 'client-a', ${mutationId}, ${tx.json(record)}, now())`;
    await tx`insert into client_mutations (workspace_id, client_id, mutation_id, entity_type, entity_id, seq)
             values (${workspaceId}, 'client-a', ${mutationId}, 'Note', ${noteId}, 1)`;
    await tx`update sync_workspaces set last_seq = 1 where id = ${workspaceId}`;

    pushing = push(gw, token, [
      { mutationId, entityType: 'Note', entityId: noteId, op: 'INSERT', data: { title: 'first', body: '', pinned: false } },
      { ...updateNote(noteId, { title: 'second' }, 1), mutationId: `m-${randomUUID()}` },
    ]);
    // The push is waiting for the lock (its statements are on the server) before this transaction commits.
    let waiting = 0;
    for (let i = 0; i < 250 && waiting === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      [{ waiting }] = (await sql`select count(*)::int as waiting from pg_locks where not granted and locktype = 'transactionid'`) as unknown as [{ waiting: number }];
    }
    expect(waiting).toBeGreaterThan(0);
  });

  const results = await pushing!;
  expect(results.map((r) => r.status)).toEqual(['DUPLICATE', 'APPLIED']);
  expect(results[0].record).toMatchObject({ id: noteId, version: 1, title: 'first' });
  expect(results[1].record).toMatchObject({ id: noteId, version: 2, title: 'second' });
});
