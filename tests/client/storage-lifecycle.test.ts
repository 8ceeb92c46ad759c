/**
 * What the client writes to its storage, and when: the cache it persists must be
 * complete (a restarted client reads its own notes back from it), and a stopped
 * client must not write any more (another client may own the file by then).
 */
// graphcache persists its cache only when NODE_ENV is not 'test' (read at run time).
const previousNodeEnv = process.env.NODE_ENV;
process.env.NODE_ENV = 'development';

import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStorage, type PersistedSyncState } from '../../client/lib/index.ts';
import { FileStorage } from '../../client/lib/storage-file.ts';
import {
  cachedNotes,
  clientTestbed,
  readStateFile,
  sleep,
  startClient,
  stopAndSettle,
  waitFor,
  waitForStatus,
} from '../helpers/client.ts';
import { newWorkspace } from '../helpers/gateway.ts';
import { pullAll } from '../helpers/sync.ts';

const bed = clientTestbed();
const { dir, cleanup } = bed;
afterAll(() => {
  process.env.NODE_ENV = previousNodeEnv;
});

/** A FileStorage whose sync-state writes take a while (a slow disk): the client's answer to a push then comes after the live echo of it. */
class SlowStateFileStorage extends FileStorage {
  override async writeSyncState(state: PersistedSyncState) {
    const written = super.writeSyncState(state);
    await sleep(300);
    return written;
  }
}

describe('the persisted cache', () => {
  it('holds the whole record of a note this client created, even when the live echo of it arrived before the push answer', async () => {
    const token = await bed.gw.token(newWorkspace());
    const proxy = await cleanup.proxy(bed.gw.url);
    const file = dir.path('own-note.json');
    const storage = new SlowStateFileStorage(file);
    const first = cleanup.client(await startClient({ url: proxy.url, token, storage }));
    await waitForStatus(first, (s) => s.state === 'live', 'live');
    const id = await first.create('Note', { title: 'mine', body: 'my body', pinned: true });
    await waitForStatus(first, (s) => s.pending === 0, 'acknowledged');
    await waitFor(() => cachedNotes(first)?.find((n) => n.id === id && n.version === 1), 'the server version in the cache');
    await stopAndSettle(first, storage);

    const persisted = Object.keys(readStateFile(file).entries)
      .filter((key) => key.startsWith(`Note:${id}.`))
      .map((key) => key.slice(`Note:${id}.`.length))
      .sort();
    expect(persisted).toEqual(['__typename', 'body', 'deleted', 'folderId', 'id', 'likes', 'pinned', 'tags', 'title', 'updatedAt', 'version']);

    // And so a restart while offline shows it.
    proxy.offline();
    const second = cleanup.client(await startClient({ url: proxy.url, token, storage: new FileStorage(file) }));
    const notes = await waitFor(() => cachedNotes(second), 'the notes list after the restart', 5_000).catch(() => null);
    expect(notes?.map((n) => [n.id, n.title, n.body, n.pinned, n.version])).toEqual([[id, 'mine', 'my body', true, 1]]);
  });
});

describe('stop()', () => {
  it('leaves no storage write behind once it has resolved', async () => {
    const token = await bed.gw.token(newWorkspace());
    const writesAfterStop: string[] = [];
    let stopped = false;
    class TracingStorage extends MemoryStorage {
      override async writeData(delta: Parameters<MemoryStorage['writeData']>[0]) {
        if (stopped) writesAfterStop.push(`writeData(${Object.keys(delta).length} keys)`);
        return super.writeData(delta);
      }
      override writeMetadata(requests: Parameters<MemoryStorage['writeMetadata']>[0]) {
        if (stopped) writesAfterStop.push('writeMetadata');
        return super.writeMetadata(requests);
      }
      override async writeSyncState(state: PersistedSyncState) {
        if (stopped) writesAfterStop.push('writeSyncState');
        return super.writeSyncState(state);
      }
    }
    const client = cleanup.client(await startClient({ url: bed.gw.url, token, storage: new TracingStorage() }));
    await waitForStatus(client, (s) => s.state === 'live', 'live');
    await client.create('Note', { title: 'before stop', body: '', pinned: false });
    await waitForStatus(client, (s) => s.pending === 0, 'acknowledged');
    await waitFor(() => cachedNotes(client)?.[0]?.version === 1, 'the server version');
    await sleep(100);

    await client.stop();
    stopped = true;
    await sleep(300);
    expect(writesAfterStop).toEqual([]);
  });

  it('acts on no answer that arrives after it resolved: no write, no further push', async () => {
    const token = await bed.gw.token(newWorkspace());
    let stopped = false;
    const writesAfterStop: string[] = [];
    class TracingStorage extends MemoryStorage {
      override async writeData(delta: Parameters<MemoryStorage['writeData']>[0]) {
        if (stopped) writesAfterStop.push('writeData');
        return super.writeData(delta);
      }
      override async writeSyncState(state: PersistedSyncState) {
        if (stopped) writesAfterStop.push(`writeSyncState(pending ${state.pending.length})`);
        return super.writeSyncState(state);
      }
    }
    // Push answers are held back until the test lets them through (a slow network).
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pushesSent: string[] = [];
    const slowFetch: typeof fetch = async (input, init) => {
      const isPush = typeof init?.body === 'string' && init.body.includes('pushChanges');
      if (isPush && stopped) pushesSent.push('after stop');
      const response = await fetch(input, init);
      if (isPush) await gate;
      return response;
    };
    const client = cleanup.client(await startClient({ url: bed.gw.url, token, storage: new TracingStorage(), fetch: slowFetch, batchSize: 1 }));
    await waitForStatus(client, (s) => s.state === 'live', 'live');
    await client.create('Note', { title: 'in flight at stop', body: '', pinned: false });
    await client.create('Note', { title: 'queued behind it', body: '', pinned: false });
    // The first push reached the server (it committed); its answer is on the way.
    await waitFor(async () => (await pullAll(bed.gw, token)).changes.length === 1, 'the first push to commit');

    await client.stop();
    stopped = true;
    release();
    await sleep(500);
    expect(writesAfterStop).toEqual([]);
    expect(pushesSent).toEqual([]);
    expect((await pullAll(bed.gw, token)).changes).toHaveLength(1);
  });
});
