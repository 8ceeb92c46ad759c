/**
 * Replicas converge: clients that edited the same records while offline end up,
 * once reconnected, with the same notes as each other and as the server
 * (field-level merge, tombstones win over late edits), and a client that joins
 * late pulls everything, page by page.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage, type SyncClient } from '../../client/lib/index.ts';
import {
  Cleanup,
  cachedNotes,
  comparable,
  recordingFetch,
  serverNotes,
  startClient,
  waitFor,
  waitForCacheToMatchServer,
  waitForStatus,
} from '../helpers/client.ts';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { newNote, push, updateNote } from '../helpers/sync.ts';

let gw: TestGateway;
const cleanup = new Cleanup();

beforeAll(async () => (gw = await startTestGateway()));
afterEach(() => cleanup.run());
afterAll(async () => gw?.close());

async function clientBehindProxy(token: string) {
  const proxy = await cleanup.proxy(gw.url);
  const client = cleanup.client(await startClient({ url: proxy.url, token, storage: new MemoryStorage() }));
  await waitForStatus(client, (s) => s.state === 'live', 'live');
  return { proxy, client };
}

const isOffline = (s: { state: string }) => s.state === 'offline' || s.state === 'backingOff';

/** Waits until every client's cache equals the server's notes and each other's. */
async function waitForConvergence(token: string, clients: SyncClient[]) {
  let last: unknown;
  try {
    return await waitFor(
      async () => {
        const server = JSON.stringify(comparable(await serverNotes(gw, token)));
        const caches = clients.map((c) => JSON.stringify(comparable(cachedNotes(c) ?? [])));
        last = { server, caches };
        return caches.every((c) => c === server) ? (JSON.parse(server) as ReturnType<typeof comparable>) : null;
      },
      'the replicas to converge',
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${JSON.stringify(last, null, 1)}`);
  }
}

describe('two clients editing offline', () => {
  it('converge on the server state: concurrent edits of different fields both survive', async () => {
    const token = await gw.token(newWorkspace());
    const { proxy: proxyA, client: a } = await clientBehindProxy(token);
    const { proxy: proxyB, client: b } = await clientBehindProxy(token);

    const x = await a.create('Note', { title: 'x', body: 'x body', pinned: false });
    await waitForStatus(a, (s) => s.pending === 0, 'x to be pushed');
    await waitFor(() => cachedNotes(b)?.find((n) => n.id === x && n.version === 1), 'b to receive x live');

    proxyA.offline();
    proxyB.offline();
    await waitForStatus(a, isOffline, 'a offline');
    await waitForStatus(b, isOffline, 'b offline');

    await a.update('Note', x, { title: 'title by a' });
    await b.update('Note', x, { body: 'body by b' });
    const y = await b.create('Note', { title: 'y by b', body: '', pinned: true });
    // Each shows only its own edits while offline.
    expect(cachedNotes(a)?.find((n) => n.id === x)).toMatchObject({ title: 'title by a', body: 'x body' });
    expect(cachedNotes(b)?.find((n) => n.id === x)).toMatchObject({ title: 'x', body: 'body by b' });
    expect(cachedNotes(a)?.some((n) => n.id === y)).toBe(false);

    proxyA.online();
    a.nudge();
    await waitForStatus(a, (s) => s.pending === 0 && s.state === 'live', 'a to push');
    proxyB.online();
    b.nudge();
    await waitForStatus(b, (s) => s.pending === 0 && s.state === 'live', 'b to push');

    const converged = await waitForConvergence(token, [a, b]);
    expect(converged).toEqual(
      comparable([
        { id: x, version: 3, title: 'title by a', body: 'body by b', pinned: false },
        { id: y, version: 1, title: 'y by b', body: '', pinned: true },
      ]),
    );
    expect(a.status.getSnapshot().failed).toEqual([]);
    expect(b.status.getSnapshot().failed).toEqual([]);
  });

  it('converge when both reconnect at once, with concurrent edits of the same field settled by server order', async () => {
    const token = await gw.token(newWorkspace());
    const { proxy: proxyA, client: a } = await clientBehindProxy(token);
    const { proxy: proxyB, client: b } = await clientBehindProxy(token);
    const x = await a.create('Note', { title: 'x', body: '', pinned: false });
    await waitFor(() => cachedNotes(b)?.find((n) => n.id === x && n.version === 1), 'b to receive x');

    proxyA.offline();
    proxyB.offline();
    await waitForStatus(a, isOffline, 'a offline');
    await waitForStatus(b, isOffline, 'b offline');
    for (let i = 0; i < 3; i++) {
      await a.update('Note', x, { title: `a ${i}` });
      await b.update('Note', x, { title: `b ${i}`, pinned: i % 2 === 0 });
    }
    await a.create('Note', { title: 'only a', body: '', pinned: false });
    await b.create('Note', { title: 'only b', body: '', pinned: false });

    proxyA.online();
    proxyB.online();
    a.nudge();
    b.nudge();
    await waitForStatus(a, (s) => s.pending === 0 && s.state === 'live', 'a drained');
    await waitForStatus(b, (s) => s.pending === 0 && s.state === 'live', 'b drained');
    const converged = await waitForConvergence(token, [a, b]);
    expect(converged).toHaveLength(3);
    expect(converged.find((n) => n.id === x)).toMatchObject({ version: 7, pinned: true });
    expect(['a 2', 'b 2']).toContain(converged.find((n) => n.id === x)!.title);
  });

  it('converge when one deletes a note the other edits without seeing the delete: the edit brings it back (EDIT_RESURRECTS)', async () => {
    const token = await gw.token(newWorkspace());
    const { proxy: proxyA, client: a } = await clientBehindProxy(token);
    const { proxy: proxyB, client: b } = await clientBehindProxy(token);
    const x = await a.create('Note', { title: 'doomed', body: '', pinned: false });
    const keep = await a.create('Note', { title: 'kept', body: '', pinned: false });
    await waitFor(() => cachedNotes(b)?.filter((n) => n.version === 1).length === 2, 'b to receive both notes');

    proxyB.offline();
    await waitForStatus(b, isOffline, 'b offline');
    await a.remove('Note', x);
    await waitForStatus(a, (s) => s.pending === 0, 'the delete to be pushed');
    await b.update('Note', x, { body: 'edited after the delete' });
    expect(cachedNotes(b)?.find((n) => n.id === x)).toMatchObject({ body: 'edited after the delete' });

    proxyB.online();
    b.nudge();
    await waitForStatus(b, (s) => s.pending === 0 && s.state === 'live', 'b drained');
    // CONFLICT is an answer, not a failure: nothing for the user to retry.
    expect(b.status.getSnapshot().failed).toEqual([]);
    const converged = await waitForConvergence(token, [a, b]);
    expect(converged.map((n) => n.id).sort()).toEqual([keep, x].sort());
    expect(converged.find((n) => n.id === x)).toMatchObject({ body: 'edited after the delete', version: 3 });
  });
});

describe('a client that joins late', () => {
  it('shows the latest version of a record that changed several times within one page or one live batch', async () => {
    const token = await gw.token(newWorkspace());
    const x = newNote({ title: 'v1', body: 'first' });
    await push(gw, token, [x, updateNote(x.entityId, { title: 'v2' }, 1), updateNote(x.entityId, { body: 'third' }, 2)], 'writer');
    const client = cleanup.client(await startClient({ url: gw.url, token, storage: new MemoryStorage() }));
    await waitForStatus(client, (s) => s.state === 'live', 'live');
    // One page holds all three versions of x: the cache must end at the last one.
    expect(comparable(cachedNotes(client) ?? [])).toEqual([{ id: x.entityId, version: 3, title: 'v2', body: 'third', pinned: false }]);

    // The same within one live batch: a push of several changes to one record.
    const y = newNote({ title: 'y1' });
    await push(gw, token, [y, updateNote(y.entityId, { title: 'y2' }, 1), updateNote(x.entityId, { pinned: true }, 3)], 'writer');
    await waitFor(() => cachedNotes(client)?.some((n) => n.id === y.entityId), 'y to arrive live');
    await waitForCacheToMatchServer(client, gw, token);
    expect(comparable(cachedNotes(client) ?? [])).toEqual(
      comparable([
        { id: x.entityId, version: 4, title: 'v2', body: 'third', pinned: true },
        { id: y.entityId, version: 2, title: 'y2', body: '', pinned: false },
      ]),
    );
  });

  it('pulls every page and then follows live changes', async () => {
    const token = await gw.token(newWorkspace());
    const notes = Array.from({ length: 7 }, (_, i) => newNote({ title: `n${i}` }));
    await push(gw, token, notes, 'writer');
    const recorder = recordingFetch();
    const client = cleanup.client(await startClient({ url: gw.url, token, storage: new MemoryStorage(), pageSize: 3, fetch: recorder.fetch }));
    await waitForStatus(client, (s) => s.state === 'live', 'live');
    const pulls = recorder.requests.filter((r) => r.operationName === 'PullChanges');
    expect(pulls.map((p) => p.body?.data?.pullChanges.changes.length)).toEqual([3, 3, 1]);
    expect(pulls.map((p) => p.body?.data?.pullChanges.hasMore)).toEqual([true, true, false]);
    expect(pulls[0]!.variables.since ?? null).toBeNull();
    expect(pulls[1]!.variables.since).toBe(pulls[0]!.body.data.pullChanges.syncToken);
    await waitForCacheToMatchServer(client, gw, token);
    expect(cachedNotes(client)).toHaveLength(7);

    // Live: another writer's changes arrive without a pull.
    const pullsBefore = recorder.requests.length;
    await push(gw, token, [newNote({ title: 'live one' })], 'writer');
    await waitFor(() => cachedNotes(client)?.some((n) => n.title === 'live one'), 'the live change');
    expect(recorder.requests.length).toBe(pullsBefore);
    expect(client.status.getSnapshot()).toMatchObject({ state: 'live', online: true, pending: 0, lastError: null });
    expect(client.status.getSnapshot().lastSyncedAt).not.toBeNull();
  });
});
