/**
 * 1. Push throughput: notes accepted per second through `pushChanges` over
 * HTTP, by batch size and concurrent clients (each client its own workspace:
 * a workspace's pushes commit one after another by design).
 *
 * Baseline: the same rows (record, log entry, mutation id, workspace counter)
 * written by a postgres.js client of the bench's own, one transaction per
 * batch under the same workspace row lock, with none of the gateway's reads,
 * checks or GraphQL.
 *
 * 6. CPU per change pushed: the gateway process's CPU time over the run,
 * against the bench process's own CPU time for the raw writes.
 */
import { chunk, noteInsert, ownCpuMs, processCpuMs, pushOrThrow, timed, writeNotesRaw, type BenchContext } from './harness.ts';

interface PushCase {
  batch: number;
  clients: number;
  perClient: number;
}

function cases(quick: boolean): PushCase[] {
  const perClient = quick
    ? { 1: [100, 30], 100: [1_000, 200], 1000: [2_000, 500] }
    : { 1: [600, 150], 100: [10_000, 2_000], 1000: [20_000, 3_000] };
  return [1, 100, 1000].flatMap((batch) =>
    [1, 8].map((clients, i) => ({ batch, clients, perClient: perClient[batch as 1 | 100 | 1000][i]! })),
  );
}

export interface PushRun {
  batch: number;
  clients: number;
  changes: number;
  perSecond: number;
  rawPerSecond: number;
  cpuMsPerChange: number;
  rawCpuMsPerChange: number;
}

export async function benchPush(ctx: BenchContext): Promise<PushRun[]> {
  // A freshly started process compiles its hot paths during its first requests: measure a warm one.
  const warmToken = await ctx.token('push-warm-up');
  for (let i = 0; i < (ctx.quick ? 50 : 200); i++) await pushOrThrow(ctx.gateway.url, warmToken, 'bench-warm-up', [noteInsert(i)]);
  for (const batch of chunk(Array.from({ length: 2000 }, (_, n) => noteInsert(n)), 500)) await pushOrThrow(ctx.gateway.url, warmToken, 'bench-warm-up', batch);
  const runs: PushRun[] = [];
  for (const c of cases(ctx.quick)) {
    const total = c.perClient * c.clients;
    const workload = () => Array.from({ length: c.clients }, (_, i) => Array.from({ length: c.perClient }, (_, n) => noteInsert(i * c.perClient + n)));

    // The gateway.
    const gatewayWork = workload();
    const tokens = await Promise.all(gatewayWork.map((_, i) => ctx.token(`push-b${c.batch}-c${c.clients}-${i}`)));
    const cpuBefore = processCpuMs(ctx.gateway.pid);
    const { ms } = await timed(() =>
      Promise.all(
        gatewayWork.map(async (changes, i) => {
          for (const batch of chunk(changes, c.batch)) await pushOrThrow(ctx.gateway.url, tokens[i]!, `bench-client-${i}`, batch);
        }),
      ),
    );
    const cpuMs = processCpuMs(ctx.gateway.pid) - cpuBefore;

    // The same rows, written directly.
    const rawWork = workload();
    const raw = await ownCpuMs(() =>
      timed(() =>
        Promise.all(
          rawWork.map(async (changes, i) => {
            const workspaceId = `raw-push-b${c.batch}-c${c.clients}-${i}`;
            for (const batch of chunk(changes, c.batch)) await writeNotesRaw(ctx.sql, workspaceId, `bench-client-${i}`, batch);
          }),
        ),
      ),
    );

    const run: PushRun = {
      batch: c.batch,
      clients: c.clients,
      changes: total,
      perSecond: total / (ms / 1000),
      rawPerSecond: total / (raw.result.ms / 1000),
      cpuMsPerChange: cpuMs / total,
      rawCpuMsPerChange: raw.cpuMs / total,
    };
    runs.push(run);
    ctx.log(
      `push batch ${c.batch} × ${c.clients} clients: ${Math.round(run.perSecond)}/s (raw ${Math.round(run.rawPerSecond)}/s), ` +
        `gateway CPU ${run.cpuMsPerChange.toFixed(3)} ms/change`,
    );
    ctx.report({
      group: '1',
      name: `push, batch ${c.batch}, ${c.clients} client${c.clients > 1 ? 's' : ''}`,
      unit: 'changes/s',
      value: run.perSecond,
      baseline: run.rawPerSecond,
      baselineName: 'raw postgres.js',
      target:
        c.batch === 100
          ? { of: 'ratio', kind: 'min', limit: 0.5 }
          : c.batch === 1 && c.clients === 8
            ? { of: 'value', kind: 'min', limit: 1500 }
            : undefined,
    });
  }
  for (const run of runs.filter((r) => r.clients === 8 && r.batch !== 1000)) {
    ctx.report({
      group: '6',
      name: `CPU per change pushed, batch ${run.batch}, 8 clients`,
      unit: 'ms',
      value: run.cpuMsPerChange,
      baseline: run.rawCpuMsPerChange,
      baselineName: 'raw writer',
    });
  }
  ctx.detail('push', runs);
  return runs;
}
