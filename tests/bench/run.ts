/**
 * `npm run bench [-- --quick] [-- --profile]`: creates a fresh PostgreSQL
 * database on 127.0.0.1, starts the gateway (server/main.ts) on it as a child
 * process, runs every measurement with its raw baseline, prints the table,
 * writes bench-results/*.json, and drops the database. Stops by itself: a
 * watchdog ends the run if it takes too long.
 *
 * --quick     smaller sizes, under a minute
 * --profile   the gateway runs with --cpu-prof; profiles go to bench-results/profiles/
 * --only=a,b  only these measurements (push, pull, sync, replay, live)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import type { ServerProcess } from '../helpers/server-process.ts';
import { repoRoot } from '../helpers/server-process.ts';
import {
  benchToken,
  createBenchDatabase,
  describeMachine,
  evaluate,
  processRssMb,
  renderTable,
  startGateway,
  type BenchContext,
  type BenchDatabase,
  type Figure,
} from './harness.ts';
import { benchLive } from './live.ts';
import { benchPull, seedCorpus } from './pull.ts';
import { benchPush } from './push.ts';
import { benchReplay } from './replay.ts';
import { benchSync } from './sync.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--profile');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const selected = (name: string) => !only || only.includes(name);

const resultsDir = join(repoRoot, 'bench-results');
const started = Date.now();
const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}`);

let database: BenchDatabase | null = null;
let gateway: ServerProcess | null = null;
let sql: postgres.Sql | null = null;

async function cleanUp() {
  await sql?.end({ timeout: 5 }).catch(() => {});
  await gateway?.stop(10_000).catch(() => gateway?.kill());
  await database?.drop().catch((error: unknown) => console.error('could not drop the bench database:', error));
  sql = null;
  gateway = null;
  database = null;
}

// Twice the budget (10 min, or 1 min quick): past that something hangs.
const watchdog = setTimeout(
  () => {
    console.error('bench: over its time limit; stopping');
    void cleanUp().finally(() => process.exit(2));
  },
  (quick ? 2 : 20) * 60_000,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

async function main() {
  mkdirSync(resultsDir, { recursive: true });
  database = await createBenchDatabase();
  const profileDir = profile ? join(resultsDir, 'profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  gateway = await startGateway(database.url, { cpuProfileDir: profileDir });
  sql = postgres(database.url, { max: 8, onnotice: () => {} });
  const machine = await describeMachine(sql);
  log(`machine: ${machine.cores} cores, Node ${machine.node}, PostgreSQL ${machine.postgres}; ${quick ? 'quick' : 'full'} run`);

  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const ctx: BenchContext = {
    quick,
    databaseUrl: database.url,
    gateway,
    sql,
    token: benchToken,
    report: (figure) => figures.push(figure),
    detail: (key, value) => (details[key] = value),
    log,
  };

  if (selected('push')) await benchPush(ctx);
  const corpusSize = quick ? 5_000 : 100_000;
  if (selected('pull') || selected('sync')) {
    const corpus = await seedCorpus(ctx, corpusSize);
    if (selected('pull')) await benchPull(ctx, corpus);
    if (selected('sync')) await benchSync(ctx, corpus);
  }
  if (selected('replay')) await benchReplay(ctx);
  if (selected('live')) {
    // A fresh gateway process: its memory with open subscriptions, not what the pulls before left in its heap.
    await gateway.stop(30_000);
    gateway = ctx.gateway = await startGateway(database.url, { cpuProfileDir: profileDir });
    ctx.detail('gatewayRssMbAtStart', processRssMb(gateway.pid));
    await benchLive(ctx);
  }

  const rows = figures.map(evaluate);
  const elapsedS = (Date.now() - started) / 1000;
  console.log(`\n${renderTable(rows)}\n`);
  const missed = rows.filter((r) => r.met === false);
  console.log(`${rows.filter((r) => r.met).length} targets met, ${missed.length} missed; ${elapsedS.toFixed(0)} s in all`);

  const result = { date: new Date().toISOString(), mode: quick ? 'quick' : 'full', machine, elapsedS, figures: rows, details };
  const stamp = result.date.replaceAll(':', '-').replace(/\..*/, '');
  const file = join(resultsDir, `bench-${result.mode}-${stamp}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  writeFileSync(join(resultsDir, `latest-${result.mode}.json`), JSON.stringify(result, null, 2));
  console.log(`results: ${file}`);
}

main()
  .then(
    () => cleanUp(),
    async (error: unknown) => {
      console.error('bench failed:', error);
      if (gateway) console.error(`gateway output (last lines):\n${gateway.output().split('\n').slice(-20).join('\n')}`);
      await cleanUp();
      process.exitCode = 1;
    },
  )
  .finally(() => {
    clearTimeout(watchdog);
    // Open handles (the client library's sockets, undici's pool) must not keep a finished bench alive.
    setTimeout(() => process.exit(), 100).unref();
  });
