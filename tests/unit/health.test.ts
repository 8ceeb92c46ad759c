import { describe, expect, it } from 'vitest';
import { migrationsFolder } from '../../db/client.ts';
import { checkReadiness, readMigrationJournal, type DatabaseProbe } from '../../server/health.ts';

const MIGRATIONS = [
  { tag: '0000_init', when: 100 },
  { tag: '0001_next', when: 200 },
];

function fakeDatabase(state: { applied?: number[]; down?: boolean; hang?: boolean }): DatabaseProbe {
  const answer = <T>(value: T) =>
    state.hang ? new Promise<T>(() => {}) : state.down ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve(value);
  return { ping: () => answer(undefined), appliedMigrations: () => answer(state.applied ?? []) };
}

describe('checkReadiness', () => {
  it('is ready when the database answers and every committed migration is applied', async () => {
    const readiness = await checkReadiness({ probe: fakeDatabase({ applied: [100, 200] }), migrations: MIGRATIONS });
    expect(readiness).toEqual({ ready: true, failed: [], checks: { database: 'ok', migrations: 'ok', shutdown: 'ok' } });
  });

  it('names the migrations not applied yet', async () => {
    const readiness = await checkReadiness({ probe: fakeDatabase({ applied: [100] }), migrations: MIGRATIONS });
    expect(readiness).toMatchObject({ ready: false, failed: ['migrations'], checks: { migrations: 'not applied: 0001_next' } });
    const fresh = await checkReadiness({ probe: fakeDatabase({ applied: [] }), migrations: MIGRATIONS });
    expect(fresh.checks.migrations).toBe('not applied: 0000_init, 0001_next');
  });

  it('reports an unreachable database without its error, and hands the error to onProbeError', async () => {
    const seen: unknown[] = [];
    const readiness = await checkReadiness({
      probe: fakeDatabase({ down: true }),
      migrations: MIGRATIONS,
      onProbeError: (error) => seen.push(error),
    });
    expect(readiness).toEqual({
      ready: false,
      failed: ['database', 'migrations'],
      checks: { database: 'unreachable', migrations: 'unknown', shutdown: 'ok' },
    });
    expect(String(seen[0])).toContain('ECONNREFUSED');
  });

  it('gives up on a database that does not answer', async () => {
    const readiness = await checkReadiness({ probe: fakeDatabase({ hang: true }), migrations: MIGRATIONS, timeoutMs: 20 });
    expect(readiness.failed).toEqual(['database', 'migrations']);
    expect(readiness.checks.database).toBe('no answer within 20 ms');
  });

  it('turns not ready while draining, and back', async () => {
    let draining = true;
    const options = { probe: fakeDatabase({ applied: [100, 200] }), migrations: MIGRATIONS, isDraining: () => draining };
    expect(await checkReadiness(options)).toMatchObject({ ready: false, failed: ['shutdown'], checks: { shutdown: 'draining' } });
    draining = false;
    expect((await checkReadiness(options)).ready).toBe(true);
  });
});

describe('readMigrationJournal', () => {
  it('lists the committed migrations in order, with the timestamps drizzle records', () => {
    const journal = readMigrationJournal(migrationsFolder);
    expect(journal.length).toBeGreaterThanOrEqual(2);
    expect(journal[0]!.tag).toBe('0000_init');
    expect(journal.every((m, i) => i === 0 || m.when > journal[i - 1]!.when)).toBe(true);
  });
});
