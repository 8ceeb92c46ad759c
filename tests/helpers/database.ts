/**
 * The database under test, chosen by the vitest project (TEST_DATABASE): PGlite
 * in memory, or a fresh database on the PostgreSQL server, dropped afterwards.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type OpenDatabase } from '../../db/client.ts';

export type Backend = 'pglite' | 'postgres';

export const backend: Backend = process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite';

export const postgresAdminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase extends OpenDatabase {
  /** Connection URL of the fresh database (PostgreSQL only). */
  url?: string;
}

export async function openTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (backend === 'pglite') return openDatabase({ kind: 'pglite' });

  const name = `sgw_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = postgres(postgresAdminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: options.poolSize });
  return {
    ...database,
    url: url.toString(),
    async close() {
      await database.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
