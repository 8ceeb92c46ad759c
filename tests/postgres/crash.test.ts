/**
 * A crash mid-push leaves nothing half-applied (real PostgreSQL, real process).
 *
 * A trigger makes a push hang inside its transaction, after part of the batch was
 * written in it, and the server process is then SIGKILLed. After a restart none
 * of that batch may be visible anywhere (records, log, mutation ids, counter), and
 * re-pushing it with the same mutation ids must apply it - once.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../server/auth.ts';
import { postgresAdminUrl } from '../helpers/database.ts';
import { killAllServerProcesses, pullAllFrom, pushTo, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { newNote, PUSH, updateNote, type ChangeInput } from '../helpers/sync.ts';

const JWT_SECRET = 'crash-test-secret-0123456789-abcdefghijklmnop';
const CLIENT = 'crash-client';
const TEST_APP = 'sgw-crash-test';

const dbName = `sgw_crash_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const dbUrl = (() => {
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
})();

let admin: postgres.Sql;
let sql: postgres.Sql;

beforeAll(async () => {
  admin = postgres(postgresAdminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  sql = postgres(dbUrl, { max: 2, onnotice: () => {}, connection: { application_name: TEST_APP } });
});

afterAll(async () => {
  await killAllServerProcesses();
  await sql?.end({ timeout: 5 });
  if (admin) {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end({ timeout: 5 });
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Backends of this database other than the test's own connections. */
const serverBackends = () => sql<{ pid: number; state: string; wait_event: string | null; query: string }[]>`
  select pid, state, wait_event, query from pg_stat_activity
  where datname = ${dbName} and application_name <> ${TEST_APP} and pid <> pg_backend_pid()`;

/** Ends the backends a killed server left behind (rolling their transactions back). */
async function terminateServerBackends() {
  await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${dbName} and application_name <> ${TEST_APP} and pid <> pg_backend_pid()`;
  await waitFor("the killed server's backends to go", async () => ((await serverBackends()).length === 0 ? true : undefined));
}

/** After a failed run: no server, no sleeping backend, no trigger left for the next case. */
async function cleanUp() {
  await killAllServerProcesses();
  await terminateServerBackends();
  await sql.unsafe(`
    drop trigger if exists hang on notes;
    drop trigger if exists hang on sync_workspaces;
    drop function if exists hang();`);
}

async function workspaceState(ws: string) {
  const notes = await sql<{ id: string; version: number; title: string }[]>`
    select id::text, version, title from notes where workspace_id = ${ws} order by id`;
  const log = await sql<{ seq: string; mutation_id: string }[]>`
    select seq, mutation_id from change_log where workspace_id = ${ws} order by seq`;
  const mutations = await sql<{ mutation_id: string }[]>`
    select mutation_id from client_mutations where workspace_id = ${ws} order by seq`;
  const [counter] = await sql<{ last_seq: string }[]>`select last_seq from sync_workspaces where id = ${ws}`;
  return {
    notes: [...notes],
    logIds: log.map((r) => r.mutation_id),
    logSeqs: log.map((r) => Number(r.seq)),
    mutationIds: mutations.map((r) => r.mutation_id),
    lastSeq: counter ? Number(counter.last_seq) : 0,
  };
}

/**
 * Where the push hangs when the process dies:
 * - records: a BEFORE INSERT trigger on notes sleeps on the batch's last record,
 *   while the statement writing the batch's records runs;
 * - counter: a BEFORE UPDATE trigger on sync_workspaces sleeps on the push's very
 *   last statement, after its records, log entries and mutation ids were written.
 */
const HANGS = {
  records: {
    install: `
      create function hang() returns trigger language plpgsql as $$
      begin
        if new.title = 'hang' then perform pg_sleep(30); end if;
        return new;
      end $$;
      create trigger hang before insert or update on notes for each row execute function hang();`,
    uninstall: `drop trigger hang on notes; drop function hang();`,
    statement: 'insert into "notes"',
  },
  counter: {
    install: `
      create function hang() returns trigger language plpgsql as $$
      begin
        if new.last_seq <> old.last_seq then perform pg_sleep(30); end if;
        return new;
      end $$;
      create trigger hang before update on sync_workspaces for each row execute function hang();`,
    uninstall: `drop trigger hang on sync_workspaces; drop function hang();`,
    statement: 'update "sync_workspaces"',
  },
} as const;

describe('crash in the middle of a push (PostgreSQL)', () => {
  it.each(['records', 'counter'] as const)(
    'killed while writing the %s: nothing half-applied, and the batch applies exactly once when re-pushed',
    { timeout: 180_000 },
    async (where) => {
      try {
        await crashAndRecover(where);
      } finally {
        await cleanUp();
      }
    },
  );
});

async function crashAndRecover(where: keyof typeof HANGS) {
  const hang = HANGS[where];
  const ws = `ws-crash-${randomUUID()}`;
  const token = await signToken(JWT_SECRET, { workspaceId: ws, userId: 'crash-user' });
  const env = { DATABASE_URL: dbUrl, JWT_SECRET, DATABASE_POOL_SIZE: '4' };

  // ---- 1. An acknowledged batch ----
  let server: ServerProcess = await startServerProcess(env);
  expect(server.devToken).toBeNull();
  const kept = [newNote({ title: 'kept 1' }), newNote({ title: 'kept 2' }), newNote({ title: 'kept 3' })];
  const keptResults = await pushTo(server, token, [...kept, updateNote(kept[0]!.entityId, { body: 'edited' }, 1)], CLIENT);
  expect(keptResults.map((r) => r.status)).toEqual(['APPLIED', 'APPLIED', 'APPLIED', 'APPLIED']);
  const keptIds = keptResults.map((r) => r.mutationId as string);
  const before = await workspaceState(ws);
  expect(before.logIds).toEqual(keptIds);
  expect(before.lastSeq).toBe(4);

  // ---- 2. A batch that hangs inside the push transaction ----
  await sql.unsafe(hang.install);
  const doomed: ChangeInput[] = [
    newNote({ title: 'doomed 1' }),
    updateNote(kept[1]!.entityId, { title: 'kept 2, edited by the doomed batch' }, 1),
    newNote({ title: 'doomed 2', pinned: true }),
    newNote({ title: 'hang' }),
  ];
  const inFlight = server.graphql(token, PUSH, { clientId: CLIENT, changes: doomed }).then(
    (response) => ({ response }),
    (error: unknown) => ({ error }),
  );

  const sleeper = await waitFor('the push to hang in pg_sleep', async () => {
    const rows = await serverBackends();
    return rows.find((r) => r.wait_event === 'PgSleep');
  });
  expect(sleeper.state).toBe('active');
  expect(sleeper.query.toLowerCase()).toContain(hang.statement);
  // The hanging transaction holds the workspace row and has written to these tables.
  const locks = await sql<{ rel: string; mode: string }[]>`
    select relation::regclass::text as rel, mode from pg_locks where pid = ${sleeper.pid} and locktype = 'relation'`;
  const written = locks.filter((l) => l.mode === 'RowExclusiveLock').map((l) => l.rel);
  expect(written).toEqual(expect.arrayContaining(where === 'records' ? ['sync_workspaces', 'notes'] : ['sync_workspaces', 'notes', 'change_log', 'client_mutations']));

  // ---- 3. Crash ----
  await server.kill();
  const outcome = await inFlight;
  expect('error' in outcome, 'the killed push must never be acknowledged').toBe(true);

  // PostgreSQL does not notice a vanished client while a query runs, so the
  // orphaned backend would sleep on (holding the workspace row) for the rest of
  // the 30 s. End it like an operator would; its transaction rolls back.
  await terminateServerBackends();
  await sql.unsafe(hang.uninstall);

  // ---- 4. Restart: nothing of the doomed batch anywhere ----
  server = await startServerProcess(env);
  const after = await workspaceState(ws);
  expect(after).toEqual(before);
  const doomedIds = new Set(doomed.map((c) => c.mutationId));
  expect(after.logIds.filter((id) => doomedIds.has(id))).toEqual([]);
  expect(after.mutationIds.filter((id) => doomedIds.has(id))).toEqual([]);
  expect(after.notes.map((n) => n.title).sort()).toEqual(['kept 1', 'kept 2', 'kept 3']);
  expect(after.notes.find((n) => n.id === kept[1]!.entityId)!.version).toBe(1);
  // The counter agrees with the log: positions 1..n, none burnt, none missing.
  expect(after.lastSeq).toBe(after.logSeqs.length);
  expect(after.logSeqs).toEqual(after.logSeqs.map((_, i) => i + 1));

  const pulled = await pullAllFrom(server, token);
  expect(pulled.changes.map((c) => c.mutationId)).toEqual(keptIds);

  // ---- 5. The client retries the same batch (without the hang): applied, once ----
  const retry = doomed.map((c) =>
    c.op === 'INSERT' && (c.data as { title: string }).title === 'hang' ? { ...c, data: { ...(c.data as object), title: 'no longer hangs' } } : c,
  );
  const retried = await pushTo(server, token, retry, CLIENT);
  expect(retried.map((r) => [r.mutationId, r.status])).toEqual(retry.map((c) => [c.mutationId, 'APPLIED']));
  expect(retried[1].record).toMatchObject({ version: 2, title: 'kept 2, edited by the doomed batch' });

  const again = await pushTo(server, token, retry, CLIENT);
  expect(again.map((r) => r.status)).toEqual(retry.map(() => 'DUPLICATE'));

  const final = await workspaceState(ws);
  expect(final.logIds).toEqual([...keptIds, ...retry.map((c) => c.mutationId)]);
  expect(final.mutationIds).toEqual(final.logIds);
  expect(final.lastSeq).toBe(final.logSeqs.length);
  expect(final.logSeqs).toEqual(final.logSeqs.map((_, i) => i + 1));
  expect(final.notes.map((n) => n.title).sort()).toEqual([
    'doomed 1',
    'doomed 2',
    'kept 1',
    'kept 2, edited by the doomed batch',
    'kept 3',
    'no longer hangs',
  ]);

  expect(await server.stop()).toBe(0);
}
