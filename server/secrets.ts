/**
 * Secrets the server generates once and keeps in the database, so that every
 * restart (and every instance sharing the database) agrees on them.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { syncMeta } from '../db/schema.ts';

export async function loadOrCreateSecret(db: Database, key: string): Promise<string> {
  // Insert-if-absent then read: concurrent first starts all end with the same value.
  await db.insert(syncMeta).values({ key, value: randomBytes(32).toString('base64url') }).onConflictDoNothing();
  const [row] = await db.select({ value: syncMeta.value }).from(syncMeta).where(eq(syncMeta.key, key));
  return row!.value;
}
