/**
 * Liveness (`/health`) and readiness (`/ready`) for orchestrators and load
 * balancers.
 *
 * Live means the process answers HTTP; it never touches the database, so a
 * database outage does not get a healthy process restarted. Ready means this
 * instance can serve sync traffic now: the database answers, every committed
 * migration is applied (a newer release's schema may not be in place yet when
 * instances of two releases share a database), and the gateway is not draining
 * for shutdown.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../db/client.ts';

export const HEALTH_PATH = '/health';
export const READY_PATH = '/ready';
export const HEALTH_PATHS: ReadonlySet<string> = new Set([HEALTH_PATH, READY_PATH]);

/** A committed migration, as drizzle-kit lists it in meta/_journal.json. */
export interface CommittedMigration {
  tag: string;
  /** drizzle records this as `created_at` in drizzle.__drizzle_migrations. */
  when: number;
}

/** What readiness needs from the database. */
export interface DatabaseProbe {
  ping(): Promise<void>;
  /** `created_at` of every applied migration; [] when none was ever applied. */
  appliedMigrations(): Promise<number[]>;
}

export type CheckName = 'database' | 'migrations' | 'shutdown';

export interface Readiness {
  ready: boolean;
  /** The checks that failed, in the order above. */
  failed: CheckName[];
  checks: Record<CheckName, string>;
}

export interface ReadinessOptions {
  probe: DatabaseProbe;
  migrations: readonly CommittedMigration[];
  /** True while the gateway drains for shutdown: the balancer should stop sending traffic. */
  isDraining?: () => boolean;
  /** A database that does not answer within this is reported unreachable, so /ready itself never hangs. */
  timeoutMs?: number;
  /** Told why the database check failed; the HTTP body only says that it did. */
  onProbeError?: (error: unknown) => void;
}

const DEFAULT_TIMEOUT_MS = 2000;
const UNDEFINED_TABLE = '42P01';

export function readMigrationJournal(migrationsFolder: string): CommittedMigration[] {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: CommittedMigration[];
  };
  return journal.entries.map(({ tag, when }) => ({ tag, when }));
}

export function drizzleProbe(db: Database): DatabaseProbe {
  return {
    async ping() {
      await db.execute(sql`select 1`);
    },
    async appliedMigrations() {
      try {
        const result = await db.execute(sql`select created_at from drizzle.__drizzle_migrations`);
        return rowsOf(result).map((row) => Number(row.created_at));
      } catch (error) {
        // The migrator creates the table on its first run: no table, nothing applied.
        if (hasCode(error, UNDEFINED_TABLE)) return [];
        throw error;
      }
    },
  };
}

export async function checkReadiness(options: ReadinessOptions): Promise<Readiness> {
  const { probe, migrations, isDraining = () => false } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const checks: Record<CheckName, string> = { database: 'ok', migrations: 'ok', shutdown: 'ok' };

  let applied: number[] | null = null;
  try {
    await withTimeout(probe.ping(), timeoutMs);
    applied = await withTimeout(probe.appliedMigrations(), timeoutMs);
  } catch (error) {
    options.onProbeError?.(error);
    checks.database = error instanceof ProbeTimeout ? `no answer within ${timeoutMs} ms` : 'unreachable';
    checks.migrations = 'unknown';
  }
  if (applied) {
    const done = new Set(applied);
    const pending = migrations.filter((m) => !done.has(m.when)).map((m) => m.tag);
    if (pending.length > 0) checks.migrations = `not applied: ${pending.join(', ')}`;
  }
  if (isDraining()) checks.shutdown = 'draining';

  const failed = (Object.keys(checks) as CheckName[]).filter((name) => checks[name] !== 'ok');
  return { ready: failed.length === 0, failed, checks };
}

/** Answers the paths in HEALTH_PATHS. */
export function createHealthHandler(options: ReadinessOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if ((req.url ?? '/').split('?')[0] === HEALTH_PATH) {
      sendJson(req, res, 200, { status: 'ok' });
      return;
    }
    const readiness = await checkReadiness(options);
    sendJson(req, res, readiness.ready ? 200 : 503, {
      status: readiness.ready ? 'ready' : 'not ready',
      failed: readiness.failed,
      checks: readiness.checks,
    });
  };
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown) {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
}

class ProbeTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// drizzle wraps driver errors; the SQLSTATE is on the cause.
function hasCode(error: unknown, code: string): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === code) return true;
  }
  return false;
}
