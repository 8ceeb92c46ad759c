/**
 * For tests of whole gateway processes sharing one PostgreSQL database: a fresh
 * database, a direct connection to inspect it, each process's backends (found by
 * the application_name the gateway sets), and writers that push until stopped.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { postgresAdminUrl } from './database.ts';
import type { TestGateway } from './gateway.ts';
import { pushTo, type ServerProcess } from './server-process.ts';
import { newNote, updateNote, type ChangeInput } from './sync.ts';

export const TEST_APP = 'sgw-instances-test';

export interface SharedDatabase {
  name: string;
  url: string;
  /** A connection of the test's own (application_name TEST_APP). */
  sql: postgres.Sql;
  /** Connected to the admin database: still works when the test database refuses connections. */
  admin: postgres.Sql;
  drop(): Promise<void>;
}

export async function createSharedDatabase(prefix: string): Promise<SharedDatabase> {
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = postgres(postgresAdminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {}, connection: { application_name: TEST_APP } });
  return {
    name,
    url: url.toString(),
    sql,
    admin,
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/** What subscribeChanges needs to reach a server process. */
export function endpointOf(server: ServerProcess): TestGateway {
  return { url: server.url, wsUrl: server.url.replace(/^http/, 'ws') } as TestGateway;
}

/** The backends a gateway process holds (its connections name themselves `sync-gateway pid=<pid> [role]`). */
export async function backendsOf(db: SharedDatabase, pid: number) {
  const rows = await db.sql<{ pid: number; application_name: string; state: string; query: string }[]>`
    select pid, application_name, state, query from pg_stat_activity
    where datname = ${db.name} and (application_name = ${`sync-gateway pid=${pid}`} or application_name like ${`sync-gateway pid=${pid} %`})`;
  return [...rows];
}

export async function listenBackendOf(db: SharedDatabase, pid: number): Promise<number | undefined> {
  return (await backendsOf(db, pid)).find((b) => b.application_name === `sync-gateway pid=${pid} listen`)?.pid;
}

/** Polls `probe` until it returns something (never asserts on speed, only on eventually). */
export async function until<T>(what: string | (() => string), probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Writer {
  workspace: string;
  /** Mutation ids of the changes the server acknowledged, in the writer's order. */
  acked: string[];
  /** Set when a push failed (no answer): its changes may or may not have committed. */
  failure?: unknown;
}

/**
 * Pushes batches of 1 to 3 changes (new notes, and updates of this writer's own
 * notes from their current version) to `server`, one after another, until
 * `pushes` were acknowledged, `keepGoing()` turns false, or a push gets no
 * answer (the server died): then it stops and records the failure.
 */
export async function runWriter(
  server: () => ServerProcess,
  writer: Writer,
  token: string,
  options: { pushes: number; keepGoing?: () => boolean; clientId: string },
): Promise<void> {
  const versions = new Map<string, number>();
  for (let p = 0; p < options.pushes && (options.keepGoing?.() ?? true); p++) {
    const changes: ChangeInput[] = [];
    const next = new Map(versions);
    const size = 1 + (p % 3);
    for (let i = 0; i < size; i++) {
      const existing = [...next.keys()];
      if (existing.length === 0 || i === 0) {
        const note = newNote({ title: `${options.clientId} #${p}.${i}` });
        changes.push(note);
        next.set(note.entityId, 1);
      } else {
        const id = existing[(p + i) % existing.length]!;
        changes.push(updateNote(id, { body: `${options.clientId} #${p}.${i}` }, next.get(id)));
        next.set(id, next.get(id)! + 1);
      }
    }
    let results: any[];
    try {
      results = await pushTo(server(), token, changes, options.clientId);
    } catch (error) {
      writer.failure = error;
      return;
    }
    const statuses = results.map((r) => r.status);
    if (statuses.some((s) => s !== 'APPLIED')) throw new Error(`${options.clientId}: unexpected statuses ${JSON.stringify(results)}`);
    for (const [id, version] of next) versions.set(id, version);
    writer.acked.push(...results.map((r) => r.mutationId as string));
  }
}
