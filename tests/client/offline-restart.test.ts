/**
 * Offline edits are durable: they survive a client restart while offline, are
 * shown from the persisted cache plus the restored optimistic layers, and replay
 * in the order they were made, each exactly once, when the network is back.
 */
// graphcache persists its cache only when NODE_ENV is not 'test' (it reads it at
// run time): these tests are about what a restarted client shows from disk.
const previousNodeEnv = process.env.NODE_ENV;
process.env.NODE_ENV = 'development';

import { afterAll, describe, expect, it } from 'vitest';
import { FileStorage } from '../../client/lib/storage-file.ts';
import {
  cachedNotes,
  clientTestbed,
  comparable,
  readStateFile,
  startClient,
  stopAndSettle,
  waitFor,
  waitForCacheToMatchServer,
  waitForStatus,
} from '../helpers/client.ts';
import { newWorkspace } from '../helpers/gateway.ts';
import { newNote, pullAll, push } from '../helpers/sync.ts';

const bed = clientTestbed();
const { dir, cleanup } = bed;
afterAll(() => {
  process.env.NODE_ENV = previousNodeEnv;
});

const visible = (notes: ReturnType<typeof cachedNotes>) =>
  (notes ?? []).map(({ id, title, body, pinned }) => ({ id, title, body, pinned })).sort((a, b) => a.id.localeCompare(b.id));

describe('offline edits and a client restart', () => {
  it('keeps offline edits across a restart and replays them in order, each once, after reconnecting', async () => {
    const token = await bed.gw.token(newWorkspace());
    const proxy = await cleanup.proxy(bed.gw.url);
    const file = dir.path('restart.json');

    const firstStorage = new FileStorage(file);
    const first = cleanup.client(await startClient({ url: proxy.url, token, storage: firstStorage }));
    await waitForStatus(first, (s) => s.state === 'live', 'the first client to be live');
    const existing = await first.create('Note', { title: 'existing', body: 'made online', pinned: false });
    await waitForStatus(first, (s) => s.pending === 0, 'the online note to be acknowledged');
    await waitFor(() => cachedNotes(first)?.find((n) => n.id === existing && n.version === 1), 'the online note in the cache');
    const { syncToken: beforeOffline } = await pullAll(bed.gw, token);

    proxy.offline();
    await waitForStatus(first, (s) => s.state === 'offline' || s.state === 'backingOff', 'the client to notice it is offline');
    expect(first.status.getSnapshot().online).toBe(false);

    const one = await first.create('Note', { title: 'one', body: 'first offline', pinned: false });
    const two = await first.create('Note', { title: 'two', body: 'to be deleted', pinned: false });
    const three = await first.create('Note', { title: 'three', body: '', pinned: true });
    await first.update('Note', existing, { title: 'existing, renamed offline' });
    await first.update('Note', existing, { pinned: true });
    await first.remove('Note', two);

    await waitForStatus(first, (s) => s.pending === 6, 'six pending changes');
    const expectedOnScreen = visible([
      { id: existing, title: 'existing, renamed offline', body: 'made online', pinned: true } as never,
      { id: one, title: 'one', body: 'first offline', pinned: false } as never,
      { id: three, title: 'three', body: '', pinned: true } as never,
    ]);
    expect(visible(cachedNotes(first))).toEqual(expectedOnScreen);
    await stopAndSettle(first, firstStorage);

    // The outbox on disk holds the six changes, in the order they were made.
    const saved = readStateFile(file).state!;
    expect(saved.pending.map((c) => [c.op, c.entityId])).toEqual([
      ['INSERT', one],
      ['INSERT', two],
      ['INSERT', three],
      ['UPDATE', existing],
      ['UPDATE', existing],
      ['DELETE', two],
    ]);
    // The cache on disk has the server's version of the note made online (never an optimistic one).
    expect(Object.keys(readStateFile(file).entries).some((key) => key.includes(existing))).toBe(true);
    const mutationIds = saved.pending.map((c) => c.mutationId);

    // Restart while still offline: the same edits are on screen (persisted cache + restored optimistic layers).
    const second = cleanup.client(await startClient({ url: proxy.url, token, storage: new FileStorage(file) }));
    expect(second.clientId).toBe(first.clientId);
    await waitFor(() => JSON.stringify(visible(cachedNotes(second))) === JSON.stringify(expectedOnScreen), 'the offline edits after the restart', 10_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}; cache shows ${JSON.stringify(visible(cachedNotes(second)))}`);
      },
    );
    await waitForStatus(second, (s) => s.pending === 6 && (s.state === 'offline' || s.state === 'backingOff'), 'pending 6 while offline');
    expect(second.status.getSnapshot().failed).toEqual([]);

    proxy.online();
    second.nudge();
    await waitForStatus(second, (s) => s.pending === 0 && s.state === 'live', 'the outbox to drain and the client to be live');
    expect(second.status.getSnapshot().failed).toEqual([]);

    // The server applied the six changes once each, in the order they were made.
    const { changes } = await pullAll(bed.gw, token, beforeOffline);
    expect(changes.map((c) => c.mutationId)).toEqual(mutationIds);
    expect(changes.map((c) => [c.op, c.entityId, c.clientId])).toEqual([
      ['INSERT', one, first.clientId],
      ['INSERT', two, first.clientId],
      ['INSERT', three, first.clientId],
      ['UPDATE', existing, first.clientId],
      ['UPDATE', existing, first.clientId],
      ['DELETE', two, first.clientId],
    ]);

    // The cache now shows the server's versions.
    const final = await waitForCacheToMatchServer(second, bed.gw, token);
    expect(final).toEqual(
      comparable([
        { id: existing, version: 3, title: 'existing, renamed offline', body: 'made online', pinned: true },
        { id: one, version: 1, title: 'one', body: 'first offline', pinned: false },
        { id: three, version: 1, title: 'three', body: '', pinned: true },
      ]),
    );
    await second.stop();
    expect(readStateFile(file).state!.pending).toEqual([]);
  });

  it('shows an offline edit of a synced note on top of the persisted cache after a restart', async () => {
    // The note comes from another writer, so the persisted cache holds it whole
    // (no optimistic layer of this client was ever involved with it).
    const token = await bed.gw.token(newWorkspace());
    const proxy = await cleanup.proxy(bed.gw.url);
    const file = dir.path('edit-over-cache.json');
    const synced = newNote({ title: 'synced', body: 'server body' });
    const other = newNote({ title: 'untouched', body: '' });
    await push(bed.gw, token, [synced, other], 'another-client');

    const firstStorage = new FileStorage(file);
    const first = cleanup.client(await startClient({ url: proxy.url, token, storage: firstStorage }));
    await waitForStatus(first, (s) => s.state === 'live', 'live');
    await waitFor(() => cachedNotes(first)?.length === 2, 'the two notes');
    proxy.offline();
    await waitForStatus(first, (s) => s.state === 'offline' || s.state === 'backingOff', 'offline');
    await first.update('Note', synced.entityId, { title: 'edited offline' });
    const added = await first.create('Note', { title: 'added offline', body: '', pinned: false });
    await waitForStatus(first, (s) => s.pending === 2, 'two pending');
    const onScreen = visible(cachedNotes(first));
    expect(onScreen.map((n) => n.title).sort()).toEqual(['added offline', 'edited offline', 'untouched']);
    await stopAndSettle(first, firstStorage);

    const second = cleanup.client(await startClient({ url: proxy.url, token, storage: new FileStorage(file) }));
    await waitFor(() => JSON.stringify(visible(cachedNotes(second))) === JSON.stringify(onScreen), 'the same notes after the restart', 5_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}; cache shows ${JSON.stringify(visible(cachedNotes(second)))}, expected ${JSON.stringify(onScreen)}`);
      },
    );
    expect(second.status.getSnapshot().pending).toBe(2);

    proxy.online();
    second.nudge();
    await waitForStatus(second, (s) => s.pending === 0 && s.state === 'live', 'drained');
    const final = await waitForCacheToMatchServer(second, bed.gw, token);
    expect(final.map((n) => [n.id, n.title, n.version]).sort()).toEqual(
      [
        [synced.entityId, 'edited offline', 2],
        [other.entityId, 'untouched', 1],
        [added, 'added offline', 1],
      ].sort(),
    );
  });

  it('shows what it synced before from the persisted cache when restarted offline', async () => {
    const token = await bed.gw.token(newWorkspace());
    const proxy = await cleanup.proxy(bed.gw.url);
    const file = dir.path('cache-only.json');
    const notes = [newNote({ title: 'alpha', body: 'a' }), newNote({ title: 'beta', body: 'b', pinned: true })];
    await push(bed.gw, token, notes, 'another-client');

    const firstStorage = new FileStorage(file);
    const first = cleanup.client(await startClient({ url: proxy.url, token, storage: firstStorage }));
    await waitForStatus(first, (s) => s.state === 'live', 'live');
    await waitFor(() => cachedNotes(first)?.length === 2, 'the pulled notes in the cache');
    // A change that arrives on the live stream is persisted too.
    const gamma = newNote({ title: 'gamma', body: 'live' });
    await push(bed.gw, token, [gamma], 'another-client');
    await waitFor(() => cachedNotes(first)?.length === 3, 'the live note in the cache');
    await stopAndSettle(first, firstStorage);

    proxy.offline();
    const second = cleanup.client(await startClient({ url: proxy.url, token, storage: new FileStorage(file) }));
    const restored = await waitFor(() => (cachedNotes(second)?.length === 3 ? cachedNotes(second) : null), 'the persisted notes', 10_000);
    expect(restored.map((n) => n.title).sort()).toEqual(['alpha', 'beta', 'gamma']);
    expect(restored.find((n) => n.title === 'beta')).toMatchObject({ body: 'b', pinned: true, version: 1 });
    // It did not get them from the network: the proxy refused every connection.
    expect(proxy.openConnections).toBe(0);
    await waitForStatus(second, (s) => s.state === 'offline' || s.state === 'backingOff', 'offline');
    // The token was saved with the records, so the restarted client resumes after gamma, not from scratch.
    expect(readStateFile(file).state!.syncToken).toBe((await pullAll(bed.gw, token)).syncToken);
  });
});
