/**
 * A database of the backend under test that was never migrated: what a gateway
 * meets when it is pointed at a new database before the migrations ran.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database } from '../../db/client.ts';
import { backend, postgresAdminUrl } from './database.ts';

export interface BareDatabase {
  db: Database;
  close(): Promise<void>;
}

export async function openBareDatabase(): Promise<BareDatabase> {
  if (backend === 'pglite') {
    const client = new PGlite();
    return { db: drizzlePglite(client) as unknown as Database, close: () => client.close() };
  }
  const name = `sgw_bare_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = postgres(postgresAdminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
  return {
    db: drizzlePostgres(client) as unknown as Database,
    async close() {
      await client.end();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
