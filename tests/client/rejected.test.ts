/**
 * A change the server refuses is never silently lost: it leaves the outbox for
 * the failed list with the server's error code, its optimistic edit is taken
 * off the screen, and the user can discard it or retry it (with the same
 * mutation id) once the cause is fixed. A batch answered with a request-level
 * error lands there too.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../client/lib/index.ts';
import { FileStorage } from '../../client/lib/storage-file.ts';
import {
  cachedNotes,
  clientTestbed,
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

async function liveClient(token: string, storage = new MemoryStorage() as MemoryStorage | FileStorage, url = bed.gw.url) {
  const client = cleanup.client(await startClient({ url, token, storage }));
  await waitForStatus(client, (s) => s.state === 'live', 'live');
  return client;
}

describe('a change the server rejects', () => {
  it('moves to failed with the error code, reverts its optimistic edit, and can be discarded', async () => {
    const token = await bed.gw.token(newWorkspace());
    const storage = new MemoryStorage();
    const client = await liveClient(token, storage);
    const id = await client.create('Note', { title: 'kept', body: 'as is', pinned: false });
    await waitForStatus(client, (s) => s.pending === 0, 'the note to be acknowledged');
    await waitFor(() => cachedNotes(client)?.find((n) => n.id === id && n.version === 1), 'the server version in the cache');
    // Let the live echo of the insert arrive first (see the next test for what happens when it comes later).
    const { syncToken } = await pullAll(bed.gw, token);
    await waitFor(() => storage.state?.syncToken === syncToken, 'the live echo of the insert');

    await client.update('Note', id, { pinned: 'yes', title: 'never applied' });
    const status = await waitForStatus(client, (s) => s.failed.length === 1, 'the change to fail');
    expect(status.pending).toBe(0);
    const [failed] = status.failed;
    expect(failed!.error.code).toBe('INVALID_FIELD_VALUE');
    expect(failed!.change).toMatchObject({ op: 'UPDATE', entityId: id, data: { pinned: 'yes', title: 'never applied' }, baseVersion: 1 });

    // The optimistic edit is gone: the cache shows the server's record again.
    await waitFor(
      () => cachedNotes(client)?.find((n) => n.id === id && n.title === 'kept' && n.pinned === false),
      'the edit to be reverted',
      20_000,
      () => ({ notes: cachedNotes(client), status: client.status.getSnapshot() }),
    );
    await waitForCacheToMatchServer(client, bed.gw, token);
    // Nothing of it reached the server's log.
    expect((await pullAll(bed.gw, token)).changes.map((c) => c.op)).toEqual(['INSERT']);

    await client.discardFailed(failed!.change.mutationId);
    await waitForStatus(client, (s) => s.failed.length === 0, 'the failed change to be discarded');
    expect(client.status.getSnapshot().pending).toBe(0);
    // Discarding an unknown id is harmless.
    await client.discardFailed('no-such-mutation');
    expect(client.status.getSnapshot().failed).toEqual([]);
  });

  it('is reverted even when other records were pulled while it waited for its answer', async () => {
    const token = await bed.gw.token(newWorkspace());
    const proxy = await cleanup.proxy(bed.gw.url);
    const client = await liveClient(token, new MemoryStorage(), proxy.url);
    const x = await client.create('Note', { title: 'x', body: 'x body', pinned: false });
    await waitForStatus(client, (s) => s.pending === 0, 'x acknowledged');
    await waitFor(() => cachedNotes(client)?.find((n) => n.id === x && n.version === 1), 'x at version 1');

    proxy.offline();
    await waitForStatus(client, (s) => s.state === 'offline' || s.state === 'backingOff', 'offline');
    await client.update('Note', x, { pinned: 'yes', title: 'never applied' });
    expect(cachedNotes(client)?.find((n) => n.id === x)).toMatchObject({ title: 'never applied' });
    // Someone else changes another note meanwhile: the reconnect pulls it before pushing.
    const y = newNote({ title: 'y from elsewhere' });
    await push(bed.gw, token, [y], 'another-client');

    proxy.online();
    client.nudge();
    await waitForStatus(client, (s) => s.failed.length === 1 && s.pending === 0 && s.state === 'live', 'the edit to fail');
    await waitFor(
      () => cachedNotes(client)?.find((n) => n.id === x && n.title === 'x' && n.pinned === false),
      'the rejected edit to be reverted',
      5_000,
      () => cachedNotes(client),
    );
    await waitForCacheToMatchServer(client, bed.gw, token);
  });

  it('can be retried with the same mutation id once the cause is fixed (an UPDATE that arrived before its INSERT)', async () => {
    const token = await bed.gw.token(newWorkspace());
    const a = await liveClient(token);
    const b = await liveClient(token);

    const id = randomUUID();
    await a.update('Note', id, { title: 'edited before it existed' });
    const status = await waitForStatus(a, (s) => s.failed.length === 1, 'the update to fail');
    const mutationId = status.failed[0]!.change.mutationId;
    expect(status.failed[0]!.error.code).toBe('RECORD_NOT_FOUND');
    expect(status.pending).toBe(0);

    // Another client creates the record with that id.
    await b.create('Note', { title: 'created by b', body: 'b', pinned: false }, id);
    await waitForStatus(b, (s) => s.pending === 0, 'b to push');
    await waitFor(() => cachedNotes(a)?.find((n) => n.id === id), 'a to see the note');

    await a.retryFailed(mutationId);
    await waitForStatus(a, (s) => s.failed.length === 0 && s.pending === 0, 'the retry to be acknowledged');

    const { changes } = await pullAll(bed.gw, token);
    expect(changes.map((c) => [c.op, c.mutationId, c.clientId])).toEqual([
      ['INSERT', expect.any(String), b.clientId],
      ['UPDATE', mutationId, a.clientId],
    ]);
    const server = await waitForCacheToMatchServer(a, bed.gw, token);
    expect(server).toEqual([{ id, version: 2, title: 'edited before it existed', body: 'b', pinned: false }]);
    await waitForCacheToMatchServer(b, bed.gw, token);
    // Retrying what is no longer failed does nothing.
    await a.retryFailed(mutationId);
    expect(a.status.getSnapshot()).toMatchObject({ pending: 0, failed: [] });
  });

  it('leaves the rest of its batch unaffected', async () => {
    const token = await bed.gw.token(newWorkspace());
    const proxy = await cleanup.proxy(bed.gw.url);
    const client = await liveClient(token, new MemoryStorage(), proxy.url);
    proxy.offline();
    await waitForStatus(client, (s) => s.state === 'offline' || s.state === 'backingOff', 'offline');

    const ok = await client.create('Note', { title: 'ok', body: '', pinned: false });
    await client.update('Note', ok, { title: 42 });
    await client.update('Note', ok, { body: 'after the bad one' });
    await client.create('Note', { title: 'missing fields' });
    await waitForStatus(client, (s) => s.pending === 4, 'four pending');

    proxy.online();
    client.nudge();
    const status = await waitForStatus(client, (s) => s.pending === 0 && s.state === 'live', 'drained');
    expect(status.failed.map((f) => [f.change.op, f.error.code])).toEqual([
      ['UPDATE', 'INVALID_FIELD_VALUE'],
      ['INSERT', 'MISSING_FIELD'],
    ]);
    const server = await waitForCacheToMatchServer(client, bed.gw, token);
    expect(server).toEqual([{ id: ok, version: 2, title: 'ok', body: 'after the bad one', pinned: false }]);
  });

  it('stays on the failed list across a restart', async () => {
    const token = await bed.gw.token(newWorkspace());
    const file = dir.path('failed.json');
    const storage = new FileStorage(file);
    const client = await liveClient(token, storage);
    await client.update('Note', randomUUID(), { title: 'nowhere' });
    const [failed] = (await waitForStatus(client, (s) => s.failed.length === 1, 'failed')).failed;
    await stopAndSettle(client, storage);

    const restarted = cleanup.client(await startClient({ url: bed.gw.url, token, storage: new FileStorage(file) }));
    expect(restarted.status.getSnapshot().failed).toEqual([failed]);
    await waitForStatus(restarted, (s) => s.state === 'live', 'live');
    expect(restarted.status.getSnapshot().pending).toBe(0);
    expect(restarted.status.getSnapshot().failed).toEqual([failed]);
  });
});

describe('a batch answered with a request-level error', () => {
  it('lands in failed as INTERNAL_SERVER_ERROR instead of being dropped, and applies once retried after the fault is gone', async () => {
    const token = await bed.gw.token(newWorkspace());
    const client = await liveClient(token);
    await bed.gw.database.db.execute(sql`
      create or replace function fail_on_client_explode() returns trigger language plpgsql as $$
      begin
        if new.title = 'client explode' then raise exception 'injected fault'; end if;
        return new;
      end $$`);
    await bed.gw.database.db.execute(
      sql`create trigger fail_on_client_explode before insert or update on notes for each row execute function fail_on_client_explode()`,
    );
    let mutationId: string;
    let id: string;
    try {
      id = await client.create('Note', { title: 'client explode', body: '', pinned: false });
      const status = await waitForStatus(client, (s) => s.failed.length === 1, 'the batch to fail');
      expect(status.pending).toBe(0);
      expect(status.failed[0]!.error.code).toBe('INTERNAL_SERVER_ERROR');
      expect(status.failed[0]!.error.message).not.toContain('injected fault');
      mutationId = status.failed[0]!.change.mutationId;
      // Its optimistic note is off the screen, and the server has nothing.
      await waitFor(() => !(cachedNotes(client) ?? []).some((n) => n.id === id), 'the optimistic note to go');
      expect((await pullAll(bed.gw, token)).changes).toEqual([]);
      // The loop carries on: it is still live and other changes go through.
      const other = await client.create('Note', { title: 'fine', body: '', pinned: false });
      await waitForStatus(client, (s) => s.pending === 0, 'the next change');
      expect((await pullAll(bed.gw, token)).changes.map((c) => c.entityId)).toEqual([other]);
      expect(client.status.getSnapshot().state).toBe('live');
    } finally {
      await bed.gw.database.db.execute(sql`drop trigger if exists fail_on_client_explode on notes`);
    }

    await client.retryFailed(mutationId);
    await waitForStatus(client, (s) => s.failed.length === 0 && s.pending === 0, 'the retry to apply');
    const final = await waitForCacheToMatchServer(client, bed.gw, token);
    expect(final.find((n) => n.id === id)).toMatchObject({ title: 'client explode', version: 1 });
    expect((await pullAll(bed.gw, token)).changes.filter((c) => c.mutationId === mutationId)).toHaveLength(1);
  });
});

describe('the status snapshot', () => {
  // useSyncExternalStore requires a snapshot never to change once handed out.
  it('is not changed after the fact when a change fails', async () => {
    const token = await bed.gw.token(newWorkspace());
    const client = await liveClient(token);
    const before = client.status.getSnapshot();
    expect(before.failed).toEqual([]);
    await client.update('Note', randomUUID(), { title: 'nowhere' });
    await waitForStatus(client, (s) => s.failed.length === 1, 'failed');
    expect(client.status.getSnapshot()).not.toBe(before);
    expect(before.failed).toEqual([]);
  });
});
