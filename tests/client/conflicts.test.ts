/**
 * Conflicts a person settles, end to end through the sync client:
 * - MANUAL (Note.body): two offline edits of the body; the one that syncs second
 *   is held back in a SyncConflict that both clients list, with both versions.
 *   Either client settles it (online or offline, through the outbox); both
 *   converge and the conflict leaves both lists. A second settlement, made
 *   without seeing the first, is answered CONFLICT_SETTLED: the first one stays,
 *   and nothing is left on the failed list.
 * - @unique(onDuplicate: MERGE) (Folder.name): two offline clients each create a
 *   folder "Work" with notes in it; after both sync there is one "Work" holding
 *   every note, and a DUPLICATE_VALUE notice both clients can dismiss.
 */
import { describe, expect, it } from 'vitest';
import type { SyncClient } from '../../client/lib/index.ts';
import {
  cachedReplica,
  clientTestbed,
  goOffline,
  liveClientBehindProxy,
  pushResults,
  reconnectAndDrain,
  recordingFetch,
  waitFor,
  waitForReplicasToMatchServer,
  waitForStatus,
} from '../helpers/client.ts';
import { newWorkspace } from '../helpers/gateway.ts';
import type { TcpProxy } from '../helpers/proxy.ts';

const bed = clientTestbed();

interface Side {
  client: SyncClient;
  proxy: TcpProxy;
  results: ReturnType<typeof recordingFetch>;
}

async function twoLiveClients() {
  const token = await bed.gw.token(newWorkspace());
  const sides: Side[] = [];
  for (let i = 0; i < 2; i++) {
    const results = recordingFetch();
    const { client, proxy } = await liveClientBehindProxy(bed.gw, bed.cleanup, token, { fetch: results.fetch });
    sides.push({ client, proxy, results });
  }
  const [a, b] = sides as [Side, Side];
  return { token, a, b };
}

const note = (client: SyncClient, id: string) => cachedReplica(client).notes.find((n) => n.id === id);
const conflicts = (client: SyncClient) => cachedReplica(client).conflicts;

/**
 * Two clients edit the body of one note offline; a syncs first, then b, whose
 * edit is held back. Returns once both clients list the conflict.
 */
async function concurrentBodyEdits() {
  const { token, a, b } = await twoLiveClients();
  const x = await a.client.create('Note', { title: 'x', body: 'original', pinned: false });
  await waitFor(() => note(b.client, x)?.version === 1 && note(a.client, x)?.version === 1, 'both clients to have x');
  await goOffline(a.proxy, a.client);
  await goOffline(b.proxy, b.client);
  await a.client.update('Note', x, { body: 'body by a' });
  await b.client.update('Note', x, { body: 'body by b', pinned: true });
  expect(note(b.client, x)).toMatchObject({ body: 'body by b', pinned: true });

  await reconnectAndDrain(a.proxy, a.client);
  await reconnectAndDrain(b.proxy, b.client);
  const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
  expect(server.conflicts).toHaveLength(1);
  return { token, a, b, x, conflict: server.conflicts[0]! };
}

describe('a MANUAL field edited on two offline clients', () => {
  it('holds back the later edit in a conflict both clients list, with both versions; the other fields apply', async () => {
    const { token, a, b, x, conflict } = await concurrentBodyEdits();
    expect(conflict).toEqual({
      id: expect.any(String),
      version: 1,
      kind: 'CONCURRENT_EDIT',
      entityType: 'Note',
      entityId: x,
      field: 'body',
      serverValue: 'body by a',
      clientValue: 'body by b',
      survivorId: null,
      clientId: b.client.clientId,
      resolved: false,
    });
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    // b's pinned applied; its body did not overwrite a's.
    expect(server.notes).toEqual([expect.objectContaining({ id: x, body: 'body by a', pinned: true, version: 3 })]);
    const answer = pushResults(b.results.requests).at(-1)!;
    expect(answer).toMatchObject({ status: 'CONFLICT', error: { code: 'CONCURRENT_EDIT' } });
    expect((answer as any).conflicts).toEqual([expect.objectContaining({ id: conflict.id })]);
    // An expected outcome, not a failed change.
    expect(b.client.status.getSnapshot()).toMatchObject({ failed: [], pending: 0 });
  });

  it('lists the conflict on the pushing client from the push answer alone, before any pull or live batch brings it', async () => {
    const token = await bed.gw.token(newWorkspace());
    const { client: a } = await liveClientBehindProxy(bed.gw, bed.cleanup, token);
    // b's network goes down the moment its push is answered: only that answer can bring the conflict.
    const recorder = recordingFetch();
    let proxyB: TcpProxy | undefined;
    let cutAfterPush = false;
    const fetchThenCut: typeof fetch = async (input, init) => {
      const response = await recorder.fetch(input, init);
      if (cutAfterPush && String(init?.body ?? '').includes('PushChanges')) proxyB?.offline();
      return response;
    };
    const { client: b, proxy } = await liveClientBehindProxy(bed.gw, bed.cleanup, token, { fetch: fetchThenCut });
    proxyB = proxy;
    const x = await a.create('Note', { title: 'x', body: 'original', pinned: false });
    await waitFor(() => note(b, x)?.version === 1, 'b to have x');
    await goOffline(proxy, b);
    await b.update('Note', x, { body: 'body by b' });
    await a.update('Note', x, { body: 'body by a' });
    await waitForStatus(a, (s) => s.pending === 0, 'a to push');

    cutAfterPush = true;
    proxy.online();
    b.nudge();
    await waitForStatus(b, (s) => s.pending === 0, "b's push to be answered");
    await waitFor(() => conflicts(b).length === 1, 'b to list the conflict', 5_000, () => cachedReplica(b));
    expect(conflicts(b)[0]).toMatchObject({ kind: 'CONCURRENT_EDIT', clientValue: 'body by b', serverValue: 'body by a', resolved: false });
    expect(note(b, x)).toMatchObject({ body: 'body by a', version: 2 });
    expect(b.status.getSnapshot().failed).toEqual([]);
    const sawConflict = (r: { body?: any }) => JSON.stringify(r.body ?? null).includes('SyncConflict');
    const pulls = recorder.requests.filter((r) => r.operationName === 'PullChanges');
    expect(pulls.some(sawConflict)).toBe(false);

    cutAfterPush = false;
    await reconnectAndDrain(proxy, b);
    await waitForReplicasToMatchServer(bed.gw, token, [a, b]);
  });

  it('is settled by resolveConflict on one client: it shows at once, and both converge without the conflict', async () => {
    const { token, a, b, x, conflict } = await concurrentBodyEdits();
    await a.client.resolveConflict(conflict.id, 'body by a and b');
    // At once, before the server answers.
    expect(conflicts(a.client)).toEqual([]);
    expect(note(a.client, x)?.body).toBe('body by a and b');

    await waitForStatus(a.client, (s) => s.pending === 0, 'the settlement to be acknowledged');
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.conflicts).toEqual([]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, body: 'body by a and b', version: 4 })]);
    expect(pushResults(a.results.requests).at(-1)).toMatchObject({ status: 'APPLIED' });
    expect(a.client.status.getSnapshot().failed).toEqual([]);
  });

  it('is settled offline, replayed on reconnect, and the other client follows', async () => {
    const { token, a, b, x, conflict } = await concurrentBodyEdits();
    await goOffline(b.proxy, b.client);
    await b.client.resolveConflict(conflict.id, 'chosen offline');
    expect(conflicts(b.client)).toEqual([]);
    expect(note(b.client, x)?.body).toBe('chosen offline');
    expect(b.client.status.getSnapshot().pending).toBe(1);
    // Still open everywhere else.
    expect(conflicts(a.client)).toHaveLength(1);

    await reconnectAndDrain(b.proxy, b.client);
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.conflicts).toEqual([]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, body: 'chosen offline' })]);
  });

  it('keeps the first settlement when a second one arrives from a client that had not seen it (CONFLICT_SETTLED), with no failed change', async () => {
    const { token, a, b, x, conflict } = await concurrentBodyEdits();
    await goOffline(b.proxy, b.client);
    await b.client.resolveConflict(conflict.id, 'b chose this');
    await a.client.resolveConflict(conflict.id, 'a chose this');
    await waitForStatus(a.client, (s) => s.pending === 0, "a's settlement to be acknowledged");
    expect(note(b.client, x)?.body).toBe('b chose this');

    await reconnectAndDrain(b.proxy, b.client);
    expect(pushResults(b.results.requests).at(-1)).toMatchObject({ status: 'CONFLICT', error: { code: 'CONFLICT_SETTLED' } });
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.conflicts).toEqual([]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, body: 'a chose this' })]);
    expect(b.client.status.getSnapshot()).toMatchObject({ failed: [], pending: 0 });
  });

  it('can be dismissed, keeping the body as it is', async () => {
    const { token, a, b, x, conflict } = await concurrentBodyEdits();
    await b.client.dismissConflict(conflict.id);
    expect(conflicts(b.client)).toEqual([]);
    // Compare with the server only once it has the dismissal: before, every replica may still equally show the conflict.
    await waitForStatus(b.client, (s) => s.pending === 0, 'the dismissal to be answered');
    expect(b.client.status.getSnapshot().failed).toEqual([]);
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.conflicts).toEqual([]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, body: 'body by a', version: 3 })]);
  });

  it('cannot be written as a record: create, update and remove of a SyncConflict reject before queueing', async () => {
    const { b, conflict } = await concurrentBodyEdits();
    await expect(b.client.update('SyncConflict', conflict.id, { resolvedValue: 'x' })).rejects.toThrow(/resolveConflict/);
    await expect(b.client.remove('SyncConflict', conflict.id)).rejects.toThrow(/dismissConflict/);
    await expect(b.client.create('SyncConflict', { kind: 'CONCURRENT_EDIT' })).rejects.toThrow(/made by the server/);
    expect(b.client.status.getSnapshot()).toMatchObject({ pending: 0, failed: [] });
  });
});

describe('two offline clients creating a folder with the same name', () => {
  it('end with one folder holding every note, and a notice on both clients that either can dismiss', async () => {
    const { token, a, b } = await twoLiveClients();
    await goOffline(a.proxy, a.client);
    await goOffline(b.proxy, b.client);
    const workA = await a.client.create('Folder', { name: 'Work' });
    const a1 = await a.client.create('Note', { title: 'a1', body: '', pinned: false, folderId: workA });
    const a2 = await a.client.create('Note', { title: 'a2', body: '', pinned: false, folderId: workA });
    const workB = await b.client.create('Folder', { name: 'Work' });
    const b1 = await b.client.create('Note', { title: 'b1', body: '', pinned: false, folderId: workB });
    await b.client.update('Note', b1, { title: 'b1 edited' });
    const b2 = await b.client.create('Note', { title: 'b2', body: '', pinned: false, folderId: workB });
    expect(cachedReplica(b.client).folders).toEqual([{ id: workB, version: 0, name: 'Work' }]);

    await reconnectAndDrain(a.proxy, a.client);
    await reconnectAndDrain(b.proxy, b.client);
    expect(pushResults(b.results.requests).find((r) => r.status === 'CONFLICT')).toMatchObject({ error: { code: 'DUPLICATE_MERGED' } });
    expect(b.client.status.getSnapshot().failed).toEqual([]);

    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.folders).toEqual([expect.objectContaining({ id: workA, name: 'Work' })]);
    expect(server.notes.map((n) => [n.id, n.folderId]).sort()).toEqual([a1, a2, b1, b2].map((id) => [id, workA]).sort());
    expect(server.notes.find((n) => n.id === b1)?.title).toBe('b1 edited');
    expect(server.conflicts).toEqual([
      expect.objectContaining({ kind: 'DUPLICATE_VALUE', entityType: 'Folder', entityId: workB, field: 'name', clientValue: 'Work', survivorId: workA, resolved: true }),
    ]);

    // A note filed later into the merged-away folder (a stale screen) lands in the survivor, at once and on the server.
    const late = await b.client.create('Note', { title: 'late', body: '', pinned: false, folderId: workB });
    expect(note(b.client, late)?.folderId).toBe(workA);
    await waitForStatus(b.client, (s) => s.pending === 0, 'the late note to be pushed');

    await a.client.dismissConflict(server.conflicts[0]!.id);
    expect(conflicts(a.client)).toEqual([]);
    await waitForStatus(a.client, (s) => s.pending === 0, 'the dismissal to be answered');
    expect(a.client.status.getSnapshot().failed).toEqual([]);
    const after = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(after.conflicts).toEqual([]);
    expect(after.folders.map((f) => f.id)).toEqual([workA]);
    expect(after.notes.every((n) => n.folderId === workA)).toBe(true);
    expect(after.notes).toHaveLength(5);
  });
});
