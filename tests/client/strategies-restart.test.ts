/**
 * Strategy-aware offline edits are durable like any other: a conflict settled,
 * a counter incremented and a set changed while offline survive a restart of
 * the client, show the same after it (the optimistic layers are rebuilt on the
 * persisted cache: counter and set computed on top of the stored values, the
 * settled conflict hidden), and replay once the network is back.
 */
// graphcache persists its cache only when NODE_ENV is not 'test' (it reads it at
// run time): this test is about what a restarted client shows from disk.
const previousNodeEnv = process.env.NODE_ENV;
process.env.NODE_ENV = 'development';

import { afterAll, describe, expect, it } from 'vitest';
import type { SyncClient } from '../../client/lib/index.ts';
import { FileStorage } from '../../client/lib/storage-file.ts';
import {
  cachedReplica,
  clientTestbed,
  goOffline,
  liveClientBehindProxy,
  reconnectAndDrain,
  startClient,
  stopAndSettle,
  waitFor,
  waitForReplicasToMatchServer,
  waitForStatus,
} from '../helpers/client.ts';
import { newWorkspace } from '../helpers/gateway.ts';

const bed = clientTestbed();
const { dir, cleanup } = bed;
afterAll(() => {
  process.env.NODE_ENV = previousNodeEnv;
});

/** What a person sees of a note and the conflicts list. */
function screen(client: SyncClient, id: string) {
  const replica = cachedReplica(client);
  const note = replica.notes.find((n) => n.id === id);
  return { body: note?.body, likes: note?.likes, tags: note?.tags, conflicts: replica.conflicts.length };
}

describe('strategy edits made offline and a client restart', () => {
  it('are shown the same after the restart and replay once the network is back', async () => {
    const token = await bed.gw.token(newWorkspace());
    const { client: a } = await liveClientBehindProxy(bed.gw, cleanup, token);
    const proxy = await cleanup.proxy(bed.gw.url);
    const file = dir.path('strategies-restart.json');
    const firstStorage = new FileStorage(file);
    const first = cleanup.client(await startClient({ url: proxy.url, token, storage: firstStorage }));
    await waitForStatus(first, (s) => s.state === 'live', 'live');

    // A conflict on the body, listed on this client.
    const x = await a.create('Note', { title: 'x', body: 'original', pinned: false, likes: 1, tags: ['old'] });
    await waitFor(() => screen(first, x).body === 'original', 'the note to arrive');
    await goOffline(proxy, first);
    await first.update('Note', x, { body: 'from first' });
    await a.update('Note', x, { body: 'from a' });
    await waitForStatus(a, (s) => s.pending === 0, "a's edit to be pushed");
    await reconnectAndDrain(proxy, first);
    const { conflicts } = await waitForReplicasToMatchServer(bed.gw, token, [a, first]);
    expect(conflicts).toHaveLength(1);

    // Offline: settle it, like twice, retag.
    await goOffline(proxy, first);
    await first.resolveConflict(conflicts[0]!.id, 'from a, then first');
    await first.update('Note', x, { likes: { inc: 1 } });
    await first.update('Note', x, { likes: { inc: 1 }, tags: { add: ['new', 'b-side'], remove: ['old'] } });
    const expected = { body: 'from a, then first', likes: 3, tags: ['b-side', 'new'], conflicts: 0 };
    expect(screen(first, x)).toEqual(expected);
    await stopAndSettle(first, firstStorage);

    const second = cleanup.client(await startClient({ url: proxy.url, token, storage: new FileStorage(file) }));
    await waitFor(() => JSON.stringify(screen(second, x)) === JSON.stringify(expected), 'the same screen after the restart', 10_000, () =>
      screen(second, x),
    );
    await waitForStatus(second, (s) => s.pending === 3 && (s.state === 'offline' || s.state === 'backingOff'), 'three pending while offline');

    await reconnectAndDrain(proxy, second);
    expect(second.status.getSnapshot().failed).toEqual([]);
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a, second]);
    expect(server.conflicts).toEqual([]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, body: 'from a, then first', likes: 3, tags: ['b-side', 'new'] })]);
  });
});
