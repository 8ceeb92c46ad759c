/**
 * Opens the database: embedded PGlite persisted on disk by default, or a real
 * PostgreSQL server through the `postgres` driver. Both get the same drizzle
 * schema and the same committed migrations, applied before anything else runs.
 */
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import * as schema from './schema.ts';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** The rows of a `db.execute()` result: postgres.js answers with the rows, PGlite with { rows }. */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  return (result as { rows: Record<string, unknown>[] }).rows;
}

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize?: number }
  /** `dataDir` undefined: in memory (tests only). */
  | { kind: 'pglite'; dataDir?: string };

/** Called for every notification on a LISTENed channel, with its payload. */
export type NotificationHandler = (payload: string) => void;

export interface OpenDatabase {
  db: Database;
  kind: DatabaseTarget['kind'];
  /**
   * PostgreSQL only: LISTEN on `channel` over a connection of its own (never one
   * of the pool's, which a long push could hold). The driver reconnects it by
   * itself; `onListen` runs after every (re)connect, once LISTEN is in effect,
   * because notifications sent while it was down are gone.
   */
  listen?(channel: string, onNotify: NotificationHandler, onListen: () => void): Promise<{ unlisten(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * Names this process's connections in pg_stat_activity, so an operator (or a
 * test) can tell which gateway process holds which backend.
 */
export const applicationName = (role?: string) => `sync-gateway pid=${process.pid}${role ? ` ${role}` : ''}`;

export async function openDatabase(target: DatabaseTarget): Promise<OpenDatabase> {
  if (target.kind === 'postgres') {
    // Migrations run on a single connection of their own so their NOTICEs and
    // session state never reach the pool the server uses.
    const migrationClient = postgres(target.url, { max: 1, onnotice: () => {}, connection: { application_name: applicationName('migrate') } });
    try {
      await migratePostgres(drizzlePostgres(migrationClient), { migrationsFolder });
    } finally {
      await migrationClient.end();
    }
    const client = postgres(target.url, { max: target.poolSize ?? 10, onnotice: () => {}, connection: { application_name: applicationName() } });
    const db = drizzlePostgres(client, { schema }) as unknown as Database;
    // postgres.js opens a listening client lazily, on the first listen(), with
    // this client's options; this client itself never connects.
    const listener = postgres(target.url, { max: 1, onnotice: () => {}, connection: { application_name: applicationName('listen') } });
    return {
      db,
      kind: 'postgres',
      listen: (channel, onNotify, onListen) => listener.listen(channel, onNotify, onListen),
      close: async () => {
        await Promise.all([client.end({ timeout: 5 }), listener.end({ timeout: 5 })]);
      },
    };
  }

  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  const client = new PGlite(target.dataDir);
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder });
  return { db: db as unknown as Database, kind: 'pglite', close: () => client.close() };
}
