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

  it('refuses a default page larger than the maximum', () => {
    expect(() => readConfig({ DEFAULT_PAGE_SIZE: '100', MAX_PAGE_SIZE: '50' })).toThrow(/DEFAULT_PAGE_SIZE/);
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
