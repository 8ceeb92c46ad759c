/**
 * A saved sync token the server refuses (BAD_SYNC_TOKEN: forged, altered, from
 * another workspace) makes the client start over with a full sync, without
 * failing and without touching its unsent local changes.
 *
 * NODE_ENV stays 'test' here on purpose: graphcache then keeps nothing on disk,
 * so a restarted client starts with an empty cache, and only a real full sync
 * (not a delta from a valid token) can bring the older notes back.
 */
import { describe, expect, it } from 'vitest';
import { FileStorage } from '../../client/lib/storage-file.ts';
import {
  cachedNotes,
  clientTestbed,
  readStateFile,
  recordingFetch,
  startClient,
  stopAndSettle,
  waitFor,
  waitForCacheToMatchServer,
  waitForStatus,
  writeStateFile,
} from '../helpers/client.ts';
import { newWorkspace } from '../helpers/gateway.ts';
import { newNote, pull, pullAll, push } from '../helpers/sync.ts';

const bed = clientTestbed();
const { dir, cleanup } = bed;

const forgeries: [string, (valid: string) => Promise<string>][] = [
  ['a garbage string', async () => 'not-a-sync-token'],
  [
    'a token with an altered signature',
    async (valid) => {
      // A character in the middle of the signature (the last one may only carry padding bits).
      const at = valid.length - 10;
      return valid.slice(0, at) + (valid[at] === 'A' ? 'Q' : 'A') + valid.slice(at + 1);
    },
  ],
  [
    "another workspace's token",
    async () => {
      const other = await bed.gw.token(newWorkspace());
      await push(bed.gw, other, [newNote({ title: 'elsewhere' })], 'other');
      return (await pull(bed.gw, other)).syncToken;
    },
  ],
];

describe('a sync token the server refuses', () => {
  it.each(forgeries)('(%s) leads to a full resync that keeps and sends the unsent local changes', async (_name, forge) => {
    const token = await bed.gw.token(newWorkspace());
    const proxy = await cleanup.proxy(bed.gw.url);
    const file = dir.path(`bad-token-${Math.random().toString(36).slice(2)}.json`);
    const [one, two] = [newNote({ title: 'one', body: '1' }), newNote({ title: 'two', body: '2' })];
    await push(bed.gw, token, [one, two], 'writer');

    const firstStorage = new FileStorage(file);
    const first = cleanup.client(await startClient({ url: proxy.url, token, storage: firstStorage }));
    await waitForStatus(first, (s) => s.state === 'live', 'live');
    await waitFor(() => cachedNotes(first)?.length === 2, 'the two notes');
    await stopAndSettle(first, firstStorage);

    // The saved token is replaced by one the server will refuse.
    const contents = readStateFile(file);
    const valid = contents.state!.syncToken!;
    expect(valid).toBe((await pullAll(bed.gw, token)).syncToken);
    const forged = await forge(valid);
    writeStateFile(file, { ...contents, state: { ...contents.state!, syncToken: forged } });
    // Meanwhile someone else adds a note.
    const three = newNote({ title: 'three', body: '3' });
    await push(bed.gw, token, [three], 'writer');

    // Restart offline and make local changes first.
    proxy.offline();
    const recorder = recordingFetch();
    const secondStorage = new FileStorage(file);
    const second = cleanup.client(await startClient({ url: proxy.url, token, storage: secondStorage, fetch: recorder.fetch }));
    await waitForStatus(second, (s) => s.state === 'offline' || s.state === 'backingOff', 'offline');
    const mine = await second.create('Note', { title: 'mine', body: 'made offline', pinned: true });
    await second.update('Note', one.entityId, { title: 'one, edited offline' });
    await waitForStatus(second, (s) => s.pending === 2, 'two pending');

    proxy.online();
    second.nudge();
    const status = await waitForStatus(second, (s) => s.state === 'live' && s.pending === 0, 'live and drained');
    expect(status.failed).toEqual([]);
    expect(status.lastError).toBeNull();

    // It asked with the forged token, was refused, and started over from null.
    const pulls = recorder.requests.filter((r) => r.operationName === 'PullChanges' && r.status !== undefined);
    const refused = pulls.findIndex((p) => p.variables?.since === forged);
    expect(refused).toBeGreaterThanOrEqual(0);
    expect(pulls[refused]!.body.errors[0].extensions.code).toBe('BAD_SYNC_TOKEN');
    expect(pulls[refused + 1]!.variables?.since ?? null).toBeNull();
    expect(pulls[refused + 1]!.body.data.pullChanges.changes.length).toBe(3);

    // The local changes were sent, once each, after the full sync.
    const { changes } = await pullAll(bed.gw, token);
    expect(changes.filter((c) => c.clientId === second.clientId).map((c) => [c.op, c.entityId])).toEqual([
      ['INSERT', mine],
      ['UPDATE', one.entityId],
    ]);

    // The cache has everything, including what it had before the restart and what it missed.
    const final = await waitForCacheToMatchServer(second, bed.gw, token);
    expect(final.map((n) => n.title).sort()).toEqual(['mine', 'one, edited offline', 'three', 'two']);
    await stopAndSettle(second, secondStorage);
    // The refused token is gone from disk: the saved one is a token the server accepts.
    const saved = readStateFile(file).state!.syncToken;
    expect(saved).not.toBe(forged);
    expect(saved).not.toBeNull();
    await expect(pull(bed.gw, token, saved)).resolves.toMatchObject({ hasMore: false });
  });
});
