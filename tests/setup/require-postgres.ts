/**
 * The PostgreSQL project needs a real server. When none answers, fail the run
 * with instructions: never skip, or CI would pass without ever touching it.
 */
import postgres from 'postgres';
import { postgresAdminUrl } from '../helpers/database.ts';

export default async function requirePostgres() {
  const sql = postgres(postgresAdminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (error) {
    throw new Error(
      `PostgreSQL is required by the "postgres" test project but ${postgresAdminUrl} did not answer ` +
        `(${(error as Error).message}). Start PostgreSQL, or point TEST_DATABASE_URL at a server whose user may CREATE DATABASE.`,
    );
  } finally {
    await sql.end();
  }
}
