/**
 * Every automatic field strategy, end to end through the sync client: two
 * clients edit one note while offline, reconnect one after the other, and end
 * with the same note as each other and the server, the one each strategy
 * promises (LWW and MERGE by arrival order, COUNTER adding up, SET add-wins);
 * each shows its own edit at once while offline, as the server will store it.
 * An edit racing a delete brings the note back (EDIT_RESURRECTS) in either order.
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
} from '../helpers/client.ts';
import { newWorkspace } from '../helpers/gateway.ts';
import type { TcpProxy } from '../helpers/proxy.ts';

const bed = clientTestbed();

interface Side {
  client: SyncClient;
  proxy: TcpProxy;
  results: ReturnType<typeof recordingFetch>;
}

/** Two live clients of a new workspace that both have note x (created by a with `fields`), then both offline. */
async function twoOfflineClientsWithNote(fields: Record<string, unknown>) {
  const token = await bed.gw.token(newWorkspace());
  const sides: Side[] = [];
  for (let i = 0; i < 2; i++) {
    const results = recordingFetch();
    const { client, proxy } = await liveClientBehindProxy(bed.gw, bed.cleanup, token, { fetch: results.fetch });
    sides.push({ client, proxy, results });
  }
  const [a, b] = sides as [Side, Side];
  const x = await a.client.create('Note', { title: 'x', body: 'x body', pinned: false, ...fields });
  await waitFor(() => note(b.client, x)?.version === 1 && note(a.client, x)?.version === 1, 'both clients to have x');
  await goOffline(a.proxy, a.client);
  await goOffline(b.proxy, b.client);
  return { token, a, b, x };
}

const note = (client: SyncClient, id: string) => cachedReplica(client).notes.find((n) => n.id === id);

/** Reconnects the sides one at a time, in this order, each sending everything before the next one. */
async function syncInOrder(...sides: Side[]) {
  for (const side of sides) await reconnectAndDrain(side.proxy, side.client);
}

describe('LWW (Note.title)', () => {
  it('the edit that arrives last wins on both clients, and no conflict is reported', async () => {
    const { token, a, b, x } = await twoOfflineClientsWithNote({});
    await a.client.update('Note', x, { title: 'title by a' });
    await b.client.update('Note', x, { title: 'title by b' });
    expect(note(a.client, x)?.title).toBe('title by a');
    expect(note(b.client, x)?.title).toBe('title by b');

    await syncInOrder(b, a);
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, title: 'title by a', version: 3 })]);
    const lastArrival = pushResults(a.results.requests).at(-1)!;
    expect(lastArrival).toMatchObject({ status: 'MERGED', conflictingFields: [], error: null });
    expect(a.client.status.getSnapshot().failed).toEqual([]);
    expect(b.client.status.getSnapshot().failed).toEqual([]);
  });
});

describe('MERGE (Note.pinned)', () => {
  it('keeps concurrent edits of different fields, and settles the same field by arrival, reporting it', async () => {
    const { token, a, b, x } = await twoOfflineClientsWithNote({});
    await a.client.update('Note', x, { pinned: true });
    await b.client.update('Note', x, { title: 'title by b' });
    await syncInOrder(a, b);
    let server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, pinned: true, title: 'title by b', body: 'x body', version: 3 })]);
    expect(pushResults(b.results.requests).at(-1)).toMatchObject({ status: 'MERGED', conflictingFields: [] });

    // Both change pinned without seeing each other: the later arrival wins and says it overwrote.
    await goOffline(a.proxy, a.client);
    await goOffline(b.proxy, b.client);
    await a.client.update('Note', x, { pinned: false });
    await b.client.update('Note', x, { pinned: true });
    await syncInOrder(a, b);
    server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, pinned: true, version: 5 })]);
    expect(pushResults(b.results.requests).at(-1)).toMatchObject({ status: 'MERGED', conflictingFields: ['pinned'] });
  });
});

describe('COUNTER (Note.likes)', () => {
  it('adds up increments made offline on two clients, each showing its own at once', async () => {
    const { token, a, b, x } = await twoOfflineClientsWithNote({ likes: 10 });
    for (let i = 0; i < 3; i++) await a.client.update('Note', x, { likes: { inc: 1 } });
    await b.client.update('Note', x, { likes: { inc: 1 } });
    await b.client.update('Note', x, { likes: { inc: 1 } });
    expect(note(a.client, x)?.likes).toBe(13);
    expect(note(b.client, x)?.likes).toBe(12);
    expect(a.client.status.getSnapshot().pending).toBe(3);

    await syncInOrder(a, b);
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, likes: 15, version: 6 })]);
    expect(pushResults(b.results.requests).slice(-2).map((r) => r.status)).toEqual(['MERGED', 'MERGED']);
  });

  it('takes a decrement, and refuses a plain number before queueing anything', async () => {
    const { token, a, b, x } = await twoOfflineClientsWithNote({ likes: 1 });
    await expect(a.client.update('Note', x, { likes: 5 })).rejects.toThrow('Note.likes is a COUNTER: update it with { inc: n }');
    expect(a.client.status.getSnapshot().pending).toBe(0);
    await a.client.update('Note', x, { likes: { inc: -3 } });
    expect(note(a.client, x)?.likes).toBe(-2);
    await syncInOrder(a, b);
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.notes[0]).toMatchObject({ likes: -2, version: 2 });
  });
});

describe('SET (Note.tags)', () => {
  it.each([
    ['the remove arrives first', 'a first'],
    ['the add arrives first', 'b first'],
  ])('a concurrent add beats a remove of the same tag (%s); a remove of a seen tag works', async (_what, order) => {
    const { token, a, b, x } = await twoOfflineClientsWithNote({ tags: ['y', 'x'] });
    expect(note(a.client, x)?.tags).toEqual(['x', 'y']);
    await a.client.update('Note', x, { tags: { remove: ['x', 'y'] } });
    await b.client.update('Note', x, { tags: { add: ['x', 'z'] } });
    expect(note(a.client, x)?.tags).toEqual([]);
    expect(note(b.client, x)?.tags).toEqual(['x', 'y', 'z']);
    await expect(b.client.update('Note', x, { tags: ['z'] })).rejects.toThrow(/SET: update it with \{ add/);

    await (order === 'a first' ? syncInOrder(a, b) : syncInOrder(b, a));
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, tags: ['x', 'z'], version: 3 })]);
    expect(a.client.status.getSnapshot().failed).toEqual([]);
    expect(b.client.status.getSnapshot().failed).toEqual([]);
  });
});

describe('an edit racing a delete of a note (EDIT_RESURRECTS)', () => {
  it('brings the note back when the delete arrives first', async () => {
    const { token, a, b, x } = await twoOfflineClientsWithNote({});
    await a.client.remove('Note', x);
    await b.client.update('Note', x, { title: 'still needed', likes: { inc: 1 } });
    expect(note(a.client, x)).toBeUndefined();

    await syncInOrder(a);
    await waitFor(() => note(a.client, x) === undefined, 'the delete to be settled on a');
    await syncInOrder(b);
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, title: 'still needed', body: 'x body', likes: 1, version: 3 })]);
    expect(pushResults(b.results.requests).at(-1)).toMatchObject({ status: 'MERGED', error: { code: 'RECORD_RESURRECTED' } });
    expect(b.client.status.getSnapshot().failed).toEqual([]);
  });

  it('keeps the note, edited, when the edit arrives first; the refused delete is not a failure', async () => {
    const { token, a, b, x } = await twoOfflineClientsWithNote({});
    await a.client.remove('Note', x);
    await b.client.update('Note', x, { title: 'still needed' });

    await syncInOrder(b, a);
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(server.notes).toEqual([expect.objectContaining({ id: x, title: 'still needed', version: 2 })]);
    expect(pushResults(a.results.requests).at(-1)).toMatchObject({ status: 'CONFLICT', error: { code: 'RECORD_EDITED' } });
    expect(a.client.status.getSnapshot().failed).toEqual([]);
    expect(note(a.client, x)).toMatchObject({ title: 'still needed', deleted: false });
  });
});

describe('an edit racing a delete of a folder (DELETE_WINS)', () => {
  it.each([
    ['the delete arrives first', 'delete first'],
    ['the rename arrives first', 'rename first'],
  ])('the delete wins (%s); a refused rename is an answer, not a failed change', async (_what, order) => {
    const token = await bed.gw.token(newWorkspace());
    const { client: a, proxy: proxyA } = await liveClientBehindProxy(bed.gw, bed.cleanup, token);
    const recorder = recordingFetch();
    const { client: b, proxy: proxyB } = await liveClientBehindProxy(bed.gw, bed.cleanup, token, { fetch: recorder.fetch });
    const folderId = await a.create('Folder', { name: 'Old' });
    await waitFor(() => cachedReplica(b).folders.some((f) => f.id === folderId && f.version === 1), 'b to have the folder');
    await goOffline(proxyA, a);
    await goOffline(proxyB, b);
    await a.remove('Folder', folderId);
    await b.update('Folder', folderId, { name: 'Renamed' });
    expect(cachedReplica(a).folders).toEqual([]);
    expect(cachedReplica(b).folders).toEqual([{ id: folderId, version: 1, name: 'Renamed' }]);

    if (order === 'delete first') {
      await reconnectAndDrain(proxyA, a);
      await reconnectAndDrain(proxyB, b);
      expect(pushResults(recorder.requests).at(-1)).toMatchObject({ status: 'CONFLICT', error: { code: 'RECORD_DELETED' } });
    } else {
      await reconnectAndDrain(proxyB, b);
      await reconnectAndDrain(proxyA, a);
    }
    const server = await waitForReplicasToMatchServer(bed.gw, token, [a, b]);
    expect(server.folders).toEqual([]);
    expect(a.status.getSnapshot().failed).toEqual([]);
    expect(b.status.getSnapshot().failed).toEqual([]);
  });
});
