/**
 * Replay is at-least-once from the client and exactly-once in effect: a push
 * whose answer is lost (the server committed, the client never heard) stays in
 * the outbox, is sent again, by the same client or after a crash and restart,
 * and comes back DUPLICATE; nothing is lost and nothing applied twice. Batches
 * go out in the order the changes were made.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../client/lib/index.ts';
import { FileStorage } from '../../client/lib/storage-file.ts';
import {
  cachedNotes,
  clientTestbed,
  pushResults,
  readStateFile,
  recordingFetch,
  startClient,
  stopAndSettle,
  waitFor,
  waitForCacheToMatchServer,
  waitForStatus,
} from '../helpers/client.ts';
import { newWorkspace } from '../helpers/gateway.ts';
import { pullAll } from '../helpers/sync.ts';

const bed = clientTestbed();
const { dir, cleanup } = bed;

const isPush = (request: string) => request.includes('pushChanges');

/** How many times each mutation id appears in the workspace's whole log. */
async function logCounts(token: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const change of (await pullAll(bed.gw, token)).changes) counts.set(change.mutationId, (counts.get(change.mutationId) ?? 0) + 1);
  return counts;
}

describe('a push whose answer is lost', () => {
  it('survives a crash mid-replay: after a restart the batch comes back DUPLICATE and was applied once', async () => {
    const token = await bed.gw.token(newWorkspace());
    const proxy = await cleanup.proxy(bed.gw.url);
    const file = dir.path('crash.json');

    const firstStorage = new FileStorage(file);
    const first = cleanup.client(await startClient({ url: proxy.url, token, storage: firstStorage }));
    await waitForStatus(first, (s) => s.state === 'live', 'live');
    proxy.offline();
    await waitForStatus(first, (s) => s.state === 'offline' || s.state === 'backingOff', 'offline');

    const a = await first.create('Note', { title: 'a', body: '', pinned: false });
    const b = await first.create('Note', { title: 'b', body: '', pinned: false });
    await first.update('Note', a, { body: 'edited offline' });
    await waitForStatus(first, (s) => s.pending === 3, 'three pending changes');
    const mutationIds = readStateFile(file).state!.pending.map((c) => c.mutationId);
    expect(mutationIds).toHaveLength(3);

    // The network comes back, but every push's answer is lost on the way back.
    proxy.setMode('dropResponses', { dropWhen: isPush });
    first.nudge();
    await waitFor(() => proxy.dropped >= 2, 'two pushes whose answers were lost');
    // The server committed the batch (once), the client does not know it.
    const committed = await logCounts(token);
    expect(mutationIds.map((id) => committed.get(id))).toEqual([1, 1, 1]);
    expect(first.status.getSnapshot().pending).toBe(3);
    expect(first.status.getSnapshot().state).not.toBe('live');
    expect(first.status.getSnapshot().failed).toEqual([]);

    // Crash: from the client's side nothing was ever acknowledged.
    proxy.offline();
    await waitForStatus(first, (s) => s.state === 'offline' || s.state === 'backingOff', 'offline before the crash');
    await stopAndSettle(first, firstStorage);
    expect(readStateFile(file).state!.pending.map((c) => c.mutationId)).toEqual(mutationIds);

    proxy.online();
    const recorder = recordingFetch();
    const second = cleanup.client(await startClient({ url: proxy.url, token, storage: new FileStorage(file), fetch: recorder.fetch }));
    await waitForStatus(second, (s) => s.pending === 0 && s.state === 'live', 'the outbox to drain after the restart');
    expect(second.status.getSnapshot().failed).toEqual([]);

    // The restarted client sent the batch again and was told it had been applied before.
    const results = pushResults(recorder.requests).filter((r) => mutationIds.includes(r.mutationId));
    expect(results.map((r) => [r.mutationId, r.status])).toEqual(mutationIds.map((id) => [id, 'DUPLICATE']));

    // Each change is in the server's log exactly once, in the order made.
    const counts = await logCounts(token);
    expect(mutationIds.map((id) => counts.get(id))).toEqual([1, 1, 1]);
    const { changes } = await pullAll(bed.gw, token);
    expect(changes.map((c) => c.mutationId)).toEqual(mutationIds);

    const final = await waitForCacheToMatchServer(second, bed.gw, token);
    expect(final.map((n) => [n.id, n.title, n.body, n.version]).sort()).toEqual(
      [
        [a, 'a', 'edited offline', 2],
        [b, 'b', '', 1],
      ].sort(),
    );
  });

  it('is replayed by the same client once the network is back, and applied once', async () => {
    const token = await bed.gw.token(newWorkspace());
    const proxy = await cleanup.proxy(bed.gw.url);
    const recorder = recordingFetch();
    const client = cleanup.client(await startClient({ url: proxy.url, token, storage: new MemoryStorage(), fetch: recorder.fetch }));
    await waitForStatus(client, (s) => s.state === 'live', 'live');

    proxy.setMode('dropResponses', { dropWhen: isPush });
    const id = await client.create('Note', { title: 'lost answer', body: '', pinned: true });
    await waitFor(() => proxy.dropped >= 1, 'a lost push answer');
    await waitFor(async () => (await logCounts(token)).size === 1, 'the server to have the change');
    expect(client.status.getSnapshot().pending).toBe(1);
    // The optimistic note stays on screen while its fate is unknown.
    expect(cachedNotes(client)?.map((n) => n.id)).toEqual([id]);

    proxy.online();
    client.nudge();
    await waitForStatus(client, (s) => s.pending === 0 && s.state === 'live', 'the change to be acknowledged');
    const counts = await logCounts(token);
    expect([...counts.values()]).toEqual([1]);
    const statuses = pushResults(recorder.requests).map((r) => r.status);
    expect(statuses.at(-1)).toBe('DUPLICATE');
    expect(statuses).not.toContain('REJECTED');
    const final = await waitForCacheToMatchServer(client, bed.gw, token);
    expect(final).toEqual([{ id, version: 1, title: 'lost answer', body: '', pinned: true }]);
  });
});

describe('replay in batches', () => {
  it('sends a long outbox in batches of batchSize, oldest first, and the server applies them in that order', async () => {
    const token = await bed.gw.token(newWorkspace());
    const proxy = await cleanup.proxy(bed.gw.url);
    const recorder = recordingFetch();
    const client = cleanup.client(
      await startClient({ url: proxy.url, token, storage: new MemoryStorage(), fetch: recorder.fetch, batchSize: 2 }),
    );
    await waitForStatus(client, (s) => s.state === 'live', 'live');
    proxy.offline();
    await waitForStatus(client, (s) => s.state === 'offline' || s.state === 'backingOff', 'offline');

    const first = await client.create('Note', { title: '1', body: '', pinned: false });
    await client.update('Note', first, { title: '1 edited' });
    const second = await client.create('Note', { title: '2', body: '', pinned: false });
    await client.remove('Note', first);
    await client.update('Note', second, { body: 'last' });
    await waitForStatus(client, (s) => s.pending === 5, 'five pending');

    proxy.online();
    client.nudge();
    await waitForStatus(client, (s) => s.pending === 0 && s.state === 'live', 'drained');

    const pushes = recorder.requests.filter((r) => r.operationName === 'PushChanges' && r.body?.data);
    expect(pushes.map((p) => p.variables.changes.length)).toEqual([2, 2, 1]);
    const sent = pushes.flatMap((p) => p.variables.changes.map((c: { mutationId: string }) => c.mutationId));
    const { changes } = await pullAll(bed.gw, token);
    expect(changes.map((c) => c.mutationId)).toEqual(sent);
    expect(changes.map((c) => [c.op, c.entityId])).toEqual([
      ['INSERT', first],
      ['UPDATE', first],
      ['INSERT', second],
      ['DELETE', first],
      ['UPDATE', second],
    ]);
    const final = await waitForCacheToMatchServer(client, bed.gw, token);
    expect(final).toEqual([{ id: second, version: 2, title: '2', body: 'last', pinned: false }]);
  });
});
