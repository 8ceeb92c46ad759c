/**
 * 5. Replay: a sync client makes its changes offline (half creates, half edits
 * of them), then the network comes back; the time from reconnecting until the
 * server has acknowledged every change and the client is live again.
 *
 * Baseline: the same changes pushed with plain fetch in the same batches (the
 * client's default of 500), in order, to a workspace of their own: what the
 * client library adds to the pushes themselves.
 */
import WebSocket from 'ws';
import { createSyncClient, MemoryStorage } from '../../client/lib/index.ts';
import { TcpProxy } from '../helpers/proxy.ts';
import { chunk, pushOrThrow, timed, within, type BenchContext } from './harness.ts';

const CLIENT_BATCH_SIZE = 500;

export async function benchReplay(ctx: BenchContext) {
  const count = ctx.quick ? 400 : 1000;
  const token = await ctx.token('replay');
  const proxy = await TcpProxy.start(ctx.gateway.url);
  const storage = new MemoryStorage();
  const client = await createSyncClient({
    url: proxy.url,
    token,
    storage,
    webSocketImpl: WebSocket,
    batchSize: CLIENT_BATCH_SIZE,
    backoff: { baseMs: 20, capMs: 200 },
  });
  try {
    await within(30_000, 'replay client live', client.status.when((s) => s.state === 'live'));
    proxy.offline();
    await within(30_000, 'replay client offline', client.status.when((s) => s.state === 'offline' || s.state === 'backingOff'));

    const ids: string[] = [];
    for (let i = 0; i < count / 2; i++) ids.push(await client.create('Note', { title: `Offline ${i}`, body: 'written offline', pinned: false, tags: [], likes: 0 }));
    for (const id of ids) await client.update('Note', id, { pinned: true });
    await within(30_000, 'offline changes queued', client.status.when((s) => s.pending === count));
    const pending = storage.state!.pending.map(({ queuedAt: _queuedAt, ...change }) => change);

    const replay = await timed(async () => {
      proxy.online();
      client.nudge();
      await within(60_000, 'replay', client.status.when((s) => s.pending === 0 && s.state === 'live'));
    });
    const failed = client.status.getSnapshot().failed.length;
    if (failed > 0) throw new Error(`replay: the server refused ${failed} changes`);

    const rawToken = await ctx.token('replay-raw');
    const plain = await timed(async () => {
      for (const batch of chunk(pending, CLIENT_BATCH_SIZE)) await pushOrThrow(proxy.url, rawToken, 'bench-plain', batch);
    });
    ctx.log(`replay of ${count} offline changes: ${replay.ms.toFixed(0)} ms (plain pushes ${plain.ms.toFixed(0)} ms)`);
    ctx.report({
      group: '5',
      name: `replay of ${count} offline changes`,
      unit: 's',
      value: replay.ms / 1000,
      baseline: plain.ms / 1000,
      baselineName: 'plain fetch pushes',
      target: count >= 1000 ? { of: 'value', kind: 'max', limit: 2 } : undefined,
    });
    ctx.detail('replay', { changes: count, batchSize: CLIENT_BATCH_SIZE, replayMs: replay.ms, plainMs: plain.ms });
  } finally {
    await client.stop();
    await proxy.close();
  }
}
