/**
 * Configuration is read and validated here, once, at the entry point. Nothing
 * else in server/ or db/ reads process.env: everything is passed in.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { DatabaseTarget } from '../db/client.ts';
import { LOG_LEVELS, type LogLevel } from './logger.ts';
import { DEFAULT_APP_DIR } from './static.ts';

export interface GatewayConfig {
  port: number;
  host: string;
  database: DatabaseTarget;
  /** null: dev mode, a generated secret kept in the database. */
  jwtSecret: string | null;
  limits: SyncLimits;
  production: boolean;
  graphiql: boolean;
  introspection: boolean;
  requestLimits: RequestLimits;
  pushRate: PushRateLimit;
  /** The built notes app served at `/` (absolute path). */
  appDir: string;
  logLevel: LogLevel;
  /** Serve Prometheus metrics at /metrics. */
  metrics: boolean;
  /** How long a SIGTERM waits for requests in flight before cutting them. */
  shutdownTimeoutMs: number;
  /** null: compaction off, the change log is kept whole. */
  compaction: CompactionConfig | null;
}

export interface CompactionConfig {
  /** Log entries older than this may be dropped (see server/sync/compaction.ts). */
  horizonHours: number;
  intervalMinutes: number;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export interface SyncLimits {
  maxBatchSize: number;
  defaultPageSize: number;
  maxPageSize: number;
}

/** Limits on one request, enforced before anything runs (see server/plugins/query-limits.ts, body-limit.ts). */
export interface RequestLimits {
  maxBodyBytes: number;
  maxQueryDepth: number;
  maxQueryCost: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
}

/** A token bucket per (workspace, user, clientId): `perSecond` 0 turns it off. */
export interface PushRateLimit {
  perSecond: number;
  burst: number;
}

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: positiveInt(10),
  DATA_DIR: z.string().min(1).default('./.data'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters (HS256 key)').optional(),
  MAX_BATCH_SIZE: positiveInt(1000),
  DEFAULT_PAGE_SIZE: positiveInt(500),
  MAX_PAGE_SIZE: positiveInt(5000),
  NODE_ENV: z.string().optional(),
  GRAPHIQL: flag.optional(),
  INTROSPECTION: flag.optional(),
  MAX_BODY_BYTES: positiveInt(2 * 1024 * 1024),
  MAX_QUERY_DEPTH: positiveInt(8),
  MAX_QUERY_COST: positiveInt(5000),
  MAX_ALIASES: positiveInt(15),
  MAX_TOKENS: positiveInt(1000),
  MAX_DIRECTIVES: positiveInt(50),
  PUSH_RATE_LIMIT: z.coerce.number().min(0).default(20),
  PUSH_RATE_BURST: positiveInt(60),
  APP_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  METRICS: flag.default(true),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(DEFAULT_SHUTDOWN_TIMEOUT_MS),
  COMPACTION_HORIZON_HOURS: z.coerce.number().int().min(0).default(720),
  COMPACTION_INTERVAL_MINUTES: positiveInt(60),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readConfig(env: Record<string, string | undefined>): GatewayConfig {
  // Empty strings mean "unset", as a shell `VAR=` does.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.DEFAULT_PAGE_SIZE > e.MAX_PAGE_SIZE) {
    throw new ConfigError('invalid configuration:\n  DEFAULT_PAGE_SIZE: must not exceed MAX_PAGE_SIZE');
  }
  const production = e.NODE_ENV === 'production';
  if (production && !e.JWT_SECRET) {
    throw new ConfigError('invalid configuration:\n  JWT_SECRET: required when NODE_ENV=production');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
      : { kind: 'pglite', dataDir: resolve(e.DATA_DIR) },
    jwtSecret: e.JWT_SECRET ?? null,
    limits: {
      maxBatchSize: e.MAX_BATCH_SIZE,
      defaultPageSize: e.DEFAULT_PAGE_SIZE,
      maxPageSize: e.MAX_PAGE_SIZE,
    },
    production,
    graphiql: e.GRAPHIQL ?? !production,
    introspection: e.INTROSPECTION ?? !production,
    requestLimits: {
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxQueryDepth: e.MAX_QUERY_DEPTH,
      maxQueryCost: e.MAX_QUERY_COST,
      maxAliases: e.MAX_ALIASES,
      maxTokens: e.MAX_TOKENS,
      maxDirectives: e.MAX_DIRECTIVES,
    },
    pushRate: { perSecond: e.PUSH_RATE_LIMIT, burst: e.PUSH_RATE_BURST },
    appDir: e.APP_DIR ? resolve(e.APP_DIR) : DEFAULT_APP_DIR,
    logLevel: e.LOG_LEVEL,
    metrics: e.METRICS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    compaction:
      e.COMPACTION_HORIZON_HOURS === 0
        ? null
        : { horizonHours: e.COMPACTION_HORIZON_HOURS, intervalMinutes: e.COMPACTION_INTERVAL_MINUTES },
  };
}
