import { describe, expect, it } from 'vitest';
import { readConfig } from '../../server/config.ts';

describe('readConfig', () => {
  it('defaults to embedded PGlite under ./.data on port 4000 in dev mode with GraphiQL', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      port: 4000,
      database: { kind: 'pglite' },
      jwtSecret: null,
      graphiql: true,
      production: false,
      limits: { maxBatchSize: 1000, defaultPageSize: 500, maxPageSize: 5000 },
      logLevel: 'info',
      metrics: true,
    });
    expect(config.database.kind === 'pglite' && config.database.dataDir).toMatch(/\.data$/);
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(readConfig({ DATABASE_URL: 'postgres://u@h:5432/db' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h:5432/db',
      poolSize: 10,
    });
  });

  it('reports every invalid option at once', () => {
    expect(() => readConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short' })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*JWT_SECRET/,
    );
  });

  it('demands JWT_SECRET and turns GraphiQL off in production unless asked for', () => {
    expect(() => readConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    const secret = 'x'.repeat(32);
    expect(readConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).graphiql).toBe(false);
    expect(readConfig({ NODE_ENV: 'production', JWT_SECRET: secret, GRAPHIQL: 'true' }).graphiql).toBe(true);
  });

  it('has request limits and push rate limiting on by default, configurable, and introspection off in production', () => {
    const config = readConfig({});
    expect(config.introspection).toBe(true);
    expect(config.requestLimits).toEqual({
      maxBodyBytes: 2 * 1024 * 1024,
      maxQueryDepth: 8,
      maxQueryCost: 5000,
      maxAliases: 15,
      maxTokens: 1000,
      maxDirectives: 50,
    });
    expect(config.pushRate).toEqual({ perSecond: 20, burst: 60 });
    const secret = 'x'.repeat(32);
    expect(readConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).introspection).toBe(false);
    expect(readConfig({ NODE_ENV: 'production', JWT_SECRET: secret, INTROSPECTION: 'true' }).introspection).toBe(true);
    const tuned = readConfig({ MAX_BODY_BYTES: '1000', MAX_QUERY_DEPTH: '3', PUSH_RATE_LIMIT: '0.5', PUSH_RATE_BURST: '2' });
    expect(tuned.requestLimits).toMatchObject({ maxBodyBytes: 1000, maxQueryDepth: 3 });
    expect(tuned.pushRate).toEqual({ perSecond: 0.5, burst: 2 });
    expect(readConfig({ PUSH_RATE_LIMIT: '0' }).pushRate.perSecond).toBe(0);
    expect(() => readConfig({ PUSH_RATE_LIMIT: '-1', MAX_BODY_BYTES: '0', INTROSPECTION: 'maybe' })).toThrow(
      /PUSH_RATE_LIMIT[\s\S]*MAX_BODY_BYTES[\s\S]*INTROSPECTION|INTROSPECTION[\s\S]*MAX_BODY_BYTES[\s\S]*PUSH_RATE_LIMIT/,
    );
  });

  it('refuses a default page larger than the maximum', () => {
    expect(() => readConfig({ DEFAULT_PAGE_SIZE: '100', MAX_PAGE_SIZE: '50' })).toThrow(/DEFAULT_PAGE_SIZE/);
  });

  it('takes a log level and turns metrics off on request', () => {
    expect(readConfig({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(readConfig({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
    expect(readConfig({ METRICS: 'false' }).metrics).toBe(false);
    expect(readConfig({ METRICS: '0' }).metrics).toBe(false);
    expect(readConfig({ METRICS: 'true' }).metrics).toBe(true);
    expect(() => readConfig({ LOG_LEVEL: 'loud', METRICS: 'off' })).toThrow(/LOG_LEVEL[\s\S]*METRICS/);
  });

  it('compacts the change log past 30 days every hour by default; a horizon of 0 turns it off', () => {
    expect(readConfig({}).compaction).toEqual({ horizonHours: 720, intervalMinutes: 60 });
    expect(readConfig({ COMPACTION_HORIZON_HOURS: '48', COMPACTION_INTERVAL_MINUTES: '5' }).compaction).toEqual({ horizonHours: 48, intervalMinutes: 5 });
    expect(readConfig({ COMPACTION_HORIZON_HOURS: '0' }).compaction).toBeNull();
    expect(() => readConfig({ COMPACTION_HORIZON_HOURS: '-1', COMPACTION_INTERVAL_MINUTES: '0' })).toThrow(
      /COMPACTION_HORIZON_HOURS[\s\S]*COMPACTION_INTERVAL_MINUTES/,
    );
  });
});
