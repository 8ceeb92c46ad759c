/**
 * SIGTERM on a real gateway process (real PostgreSQL): the drain.
 *
 * A trigger makes chosen pushes wait, inside their transactions, on an advisory
 * lock the test holds, so they are reliably in flight when the signal arrives.
 * While they wait, new requests must get 503 SHUTTING_DOWN and open
 * subscriptions must stay open; once the test lets the pushes go they must be
 * answered and committed, then SSE ends with a SHUTTING_DOWN event and WebSocket
 * closes with 1012, the process exits 0 and leaves no backend behind.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../server/auth.ts';
import { backendsOf, createSharedDatabase, endpointOf, until, type SharedDatabase } from '../helpers/instances.ts';
import { killAllServerProcesses, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { postGraphQL } from '../helpers/gateway.ts';
import { subscribeChanges, waitForErrorCodes } from '../helpers/subscribe.ts';
import { newNote, PULL, PUSH } from '../helpers/sync.ts';

const JWT_SECRET = 'shutdown-test-secret-0123456789-abcdefghijk';
const LOCK = 4242;

let db: SharedDatabase;

beforeAll(async () => {
  db = await createSharedDatabase('sgw_shutdown');
  // Run the migrations once, so the trigger has a table to go on.
  const server = await startServerProcess({ DATABASE_URL: db.url, JWT_SECRET });
  expect(await server.stop()).toBe(0);
  await db.sql.unsafe(`
    create function hold() returns trigger language plpgsql as $$
    begin
      if new.title = 'held' then perform pg_advisory_xact_lock_shared(${LOCK}); end if;
      return new;
    end $$;
    create trigger hold before insert on notes for each row execute function hold();`);
});

afterEach(async () => {
  await db.sql`select pg_advisory_unlock_all()`;
  await killAllServerProcesses();
});

afterAll(async () => {
  await killAllServerProcesses();
  await db?.drop();
});

const token = (workspaceId: string) => signToken(JWT_SECRET, { workspaceId, userId: 'user' });

/** Pushes a note that waits on the test's lock, next to one that does not. */
function heldPush(server: ServerProcess, authorization: string) {
  const changes = [newNote({ title: 'held' }), newNote({ title: 'beside it' })];
  const answer = postGraphQL(server.url, authorization, PUSH, { clientId: 'held-client', changes }).then(
    (response) => ({ response }),
    (error: unknown) => ({ error }),
  );
  return { changes, answer };
}

const waitingOnTheLock = async () =>
  Number(
    (
      await db.sql<{ n: string }[]>`
        select count(*) as n from pg_stat_activity
        where datname = ${db.name} and wait_event_type = 'Lock' and wait_event = 'advisory'`
    )[0]!.n,
  );

async function notesOf(workspaces: string[]) {
  const rows = await db.sql<{ title: string }[]>`select title from notes where workspace_id in ${db.sql(workspaces)} order by title`;
  return rows.map((r) => r.title);
}

describe('SIGTERM', () => {
  it('answers and commits the pushes in flight, refuses new requests meanwhile, then ends every subscription with a reason and exits 0', { timeout: 120_000 }, async () => {
    const server = await startServerProcess({ DATABASE_URL: db.url, JWT_SECRET, SHUTDOWN_TIMEOUT_MS: '60000' });
    const watcher = await token(`ws-watch-${Date.now()}`);
    const sse = subscribeChanges(endpointOf(server), 'sse', { token: watcher });
    const ws = subscribeChanges(endpointOf(server), 'ws', { token: watcher });
    await until('both subscriptions to be live', () => (sse.batches.length > 0 && ws.batches.length > 0 ? true : undefined));

    await db.sql`select pg_advisory_lock(${LOCK})`;
    const workspaces = [1, 2, 3].map((i) => `ws-held-${i}-${Date.now()}`);
    const pushes = await Promise.all(workspaces.map(async (w) => heldPush(server, await token(w))));
    await until('the three pushes to wait inside their transactions', async () => ((await waitingOnTheLock()) === 3 ? true : undefined));

    const exited = server.stop();
    await until('the drain to start', () => (server.output().includes('SIGTERM: shutting down') ? true : undefined));

    // New requests during the drain: 503 with SHUTTING_DOWN, over plain HTTP and for a new SSE subscription.
    const refused = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${watcher}` },
      body: JSON.stringify({ query: PULL, variables: { since: null } }),
    });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ errors: [{ extensions: { code: 'SHUTTING_DOWN' } }] });
    const late = subscribeChanges(endpointOf(server), 'sse', { token: watcher });
    expect(await waitForErrorCodes(late)).toEqual(['SHUTTING_DOWN']);
    await late.dispose();

    // The pushes are still waiting, so the open subscriptions are still open.
    expect(await waitingOnTheLock()).toBe(3);
    expect([sse.completed, sse.errors, ws.completed, ws.failures]).toEqual([false, [], false, []]);

    await db.sql`select pg_advisory_unlock(${LOCK})`;
    for (const push of pushes) {
      const outcome = await push.answer;
      expect('response' in outcome, `a push in flight must be answered: ${JSON.stringify(outcome)}`).toBe(true);
      const results = (outcome as { response: any }).response.data.pushChanges.results;
      expect(results.map((r: any) => [r.mutationId, r.status])).toEqual(push.changes.map((c) => [c.mutationId, 'APPLIED']));
    }

    // SSE: a last event with SHUTTING_DOWN, then the end. WebSocket: closed with 1012 "Service Restart".
    expect(await waitForErrorCodes(sse)).toEqual(['SHUTTING_DOWN']);
    await until('the SSE stream to complete', () => (sse.completed ? true : undefined));
    await until('the WebSocket to close', () => (ws.failures.length > 0 ? true : undefined));
    const closed = ws.failures[0] as { code: number; reason: string };
    expect({ code: closed.code, reason: String(closed.reason) }).toEqual({ code: 1012, reason: 'Service Restart' });

    expect(await exited).toBe(0);
    expect(server.output()).toContain('shut down');
    await until('no backend of the process left', async () => ((await backendsOf(db, server.pid)).length === 0 ? true : undefined), 10_000);
    expect(await notesOf(workspaces)).toEqual(['beside it', 'beside it', 'beside it', 'held', 'held', 'held']);
    await Promise.all([sse.dispose(), ws.dispose()]);
  });

  it('gives up on a push still in flight after SHUTDOWN_TIMEOUT_MS: it gets no answer and nothing of it commits', { timeout: 120_000 }, async () => {
    const server = await startServerProcess({ DATABASE_URL: db.url, JWT_SECRET, SHUTDOWN_TIMEOUT_MS: '200' });
    const workspace = `ws-cut-${Date.now()}`;
    await db.sql`select pg_advisory_lock(${LOCK})`;
    const push = heldPush(server, await token(workspace));
    await until('the push to wait inside its transaction', async () => ((await waitingOnTheLock()) === 1 ? true : undefined));

    expect(await server.stop()).toBe(0);
    const outcome = await push.answer;
    expect('error' in outcome, `the cut push must not be acknowledged: ${JSON.stringify(outcome)}`).toBe(true);

    // Its backend waits on the lock, where PostgreSQL does not notice the client left; let it go and it rolls back.
    await db.sql`select pg_advisory_unlock(${LOCK})`;
    await until('no backend of the process left', async () => ((await backendsOf(db, server.pid)).length === 0 ? true : undefined), 10_000);
    expect(await notesOf([workspace])).toEqual([]);
  });
});
