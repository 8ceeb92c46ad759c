/**
 * 3. Live latency: from a push's commit to the event's arrival at every
 * subscriber, p50/p99, with 1, 100 and 1,000 SSE subscriptions held open by a
 * separate process (subscribers.ts). The commit time is the record's
 * `updatedAt`: the server clock read under the workspace lock, after which the
 * push only writes its rows and commits, so the figure is an upper bound (it
 * includes that part of the push's own transaction, ~1 ms for one change).
 *
 * Baseline: a bare node:http SSE server (sse-baseline.ts) writing the same
 * event text, stamped the same way, to the same number of connections.
 *
 * 6. CPU per message delivered: the gateway's CPU time over the pushes divided
 * by the events delivered, against the bare server's. Memory: the gateway's
 * RSS with 1,000 open subscriptions.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { noteInsert, percentile, postGraphQLText, processCpuMs, processRssMb, PULL_QUERY, pushOrThrow, sleep, SUBSCRIBE_QUERY, within, type BenchContext } from './harness.ts';

/** A child process answering one IPC message with one message. */
class Worker {
  readonly #child: ChildProcess;
  readonly #inbox: unknown[] = [];
  #waiting: ((message: unknown) => void) | null = null;

  constructor(script: string) {
    this.#child = fork(new URL(script, import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (message) => {
      if (this.#waiting) {
        const deliver = this.#waiting;
        this.#waiting = null;
        deliver(message);
      } else this.#inbox.push(message);
    });
  }

  get pid(): number {
    return this.#child.pid!;
  }

  next<T>(timeoutMs = 60_000): Promise<T> {
    if (this.#inbox.length) return Promise.resolve(this.#inbox.shift() as T);
    return within(timeoutMs, 'a worker process answer', new Promise<T>((resolve) => (this.#waiting = resolve as (m: unknown) => void)));
  }

  async ask<T = any>(message: unknown, timeoutMs?: number): Promise<T> {
    this.#child.send(message as never);
    const answer = await this.next<{ type: string; message?: string }>(timeoutMs);
    if (answer.type === 'error') throw new Error(answer.message);
    return answer as T;
  }

  stop() {
    this.#child.kill('SIGTERM');
  }
}

interface Round {
  subscribers: number;
  events: number;
  p50: number;
  p99: number;
  cpuMsPerMessage: number;
  rssMb: number;
}

async function measure(
  subscribers: Worker,
  server: { pid: number },
  stream: { url: string; headers: Record<string, string>; body: string },
  count: number,
  events: number,
  fire: (k: number) => Promise<void>,
): Promise<Round & { sample: string | null }> {
  await subscribers.ask({ type: 'open', ...stream, count }, 120_000);
  const rssMb = processRssMb(server.pid);
  const cpuBefore = processCpuMs(server.pid);
  for (let k = 1; k <= events; k++) {
    await fire(k);
    const { missing } = await subscribers.ask<{ missing: number }>({ type: 'wait', events: k, timeoutMs: 15_000 }, 30_000);
    if (missing > 0) throw new Error(`${missing} of ${count} subscribers did not receive event ${k}`);
    // Lets the machine settle, so each event is measured on its own.
    await sleep(5);
  }
  const cpuMs = processCpuMs(server.pid) - cpuBefore;
  const { latencies, sample } = await subscribers.ask<{ latencies: number[]; sample: string | null }>({ type: 'collect' });
  await subscribers.ask({ type: 'close' });
  return {
    subscribers: count,
    events,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerMessage: cpuMs / (events * count),
    rssMb,
    sample,
  };
}

export async function benchLive(ctx: BenchContext) {
  const workspaceId = 'live';
  const token = await ctx.token(workspaceId);
  const note = noteInsert(0);
  await pushOrThrow(ctx.gateway.url, token, 'bench-live', [note]);

  const subscribers = new Worker('./subscribers.ts');
  const bare = new Worker('./sse-baseline.ts');
  const { port } = await bare.next<{ port: number }>();
  const rounds: { gateway: Round; baseline: Round }[] = [];
  try {
    for (const count of [1, 100, 1000]) {
      const events = ctx.quick ? { 1: 30, 100: 15, 1000: 8 }[count]! : { 1: 200, 100: 100, 1000: 50 }[count]!;
      // Subscribe from the head, so the first event is an empty catch-up.
      const head = JSON.parse((await postGraphQLText(ctx.gateway.url, token, PULL_QUERY, { since: null, limit: 5000 })).text).data.pullChanges.syncToken;
      const gatewayStream = {
        url: ctx.gateway.url,
        headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: SUBSCRIBE_QUERY, variables: { since: head } }),
      };
      const { sample, ...gateway } = await measure(subscribers, ctx.gateway, gatewayStream, count, events, (k) =>
        pushOrThrow(ctx.gateway.url, token, 'bench-live', [
          { mutationId: randomUUID(), entityType: 'Note', entityId: note.entityId, op: 'UPDATE', data: { title: `Live ${count}/${k}` } },
        ]),
      );
      if (!sample) throw new Error('no live event arrived');

      await bare.ask({ type: 'template', text: sample });
      const bareStream = { url: `http://127.0.0.1:${port}/`, headers: { accept: 'text/event-stream' }, body: '{}' };
      const { sample: _sample, ...baseline } = await measure(subscribers, bare, bareStream, count, events, async () => {
        await bare.ask({ type: 'fire' });
      });
      rounds.push({ gateway, baseline });
      ctx.log(
        `live, ${count} subscribers: p50 ${gateway.p50.toFixed(1)} ms, p99 ${gateway.p99.toFixed(1)} ms ` +
          `(bare SSE p50 ${baseline.p50.toFixed(1)}, p99 ${baseline.p99.toFixed(1)}); gateway RSS ${gateway.rssMb.toFixed(0)} MB`,
      );
      const big = count === 1000;
      const targets = { p50: 5, p99: 25 } as const;
      for (const p of ['p50', 'p99'] as const) {
        ctx.report({
          group: '3',
          name: `live ${p}, ${count} subscriber${count > 1 ? 's' : ''}`,
          unit: 'ms',
          value: gateway[p],
          baseline: baseline[p],
          baselineName: 'bare node:http SSE',
          target: big ? { of: 'value', kind: 'max', limit: targets[p] } : undefined,
        });
      }
      if (big) {
        ctx.report({
          group: '6',
          name: 'CPU per message delivered, 1000 subscribers',
          unit: 'ms',
          value: gateway.cpuMsPerMessage,
          baseline: baseline.cpuMsPerMessage,
          baselineName: 'bare node:http SSE',
        });
        ctx.report({
          group: 'memory',
          name: 'gateway RSS, 1000 open subscriptions',
          unit: 'MB',
          value: gateway.rssMb,
          baseline: baseline.rssMb,
          baselineName: 'bare node:http SSE',
          target: { of: 'value', kind: 'max', limit: 300 },
        });
      }
    }
    ctx.detail('live', rounds);
  } finally {
    await subscribers.ask({ type: 'close' }).catch(() => {});
    subscribers.stop();
    bare.stop();
  }
}
