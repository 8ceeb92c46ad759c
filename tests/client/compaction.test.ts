/**
 * A client that was offline while the change log was compacted: its token is
 * from before the floor, the server answers SYNC_TOKEN_EXPIRED, and the client
 * does a full sync that keeps its unsent changes. The notes deleted meanwhile
 * never arrive as deletes (their tombstones are gone from the log), so the full
 * sync itself has to take them out of the cache.
 */
import { describe, expect, it } from 'vitest';
import { compactChangeLog } from '../../server/sync/compaction.ts';
import {
  cachedNotes,
  clientTestbed,
  goOffline,
  liveClientBehindProxy,
  pushResults,
  reconnectAndDrain,
  recordingFetch,
  serverNotes,
  waitFor,
  waitForReplicasToMatchServer,
} from '../helpers/client.ts';
import { newWorkspace } from '../helpers/gateway.ts';

const bed = clientTestbed();

describe('a client whose token predates a compaction', () => {
  it('resyncs in full on SYNC_TOKEN_EXPIRED, sends its offline edits, drops the notes deleted meanwhile and converges', async () => {
    const workspace = newWorkspace();
    const token = await bed.gw.token(workspace);
    const recorder = recordingFetch();
    const a = await liveClientBehindProxy(bed.gw, bed.cleanup, token, { fetch: recorder.fetch });
    const b = await liveClientBehindProxy(bed.gw, bed.cleanup, token);

    const [kept, edited, resurrected, gone1, gone2] = await Promise.all(
      ['kept', 'edited', 'resurrected', 'gone 1', 'gone 2'].map((title) => b.client.create('Note', { title, body: `${title} body`, pinned: false })),
    );
    await waitFor(() => cachedNotes(a.client)?.length === 5, 'A to have the five notes');

    // A goes offline and edits: one note B will edit too, one B will delete, and a new one.
    await goOffline(a.proxy, a.client);
    await a.client.update('Note', edited!, { title: 'edited by A' });
    await a.client.update('Note', resurrected!, { body: 'A kept writing' });
    const created = await a.client.create('Note', { title: 'made offline by A', body: '', pinned: true });

    // Meanwhile B edits one note and deletes three; then the log is compacted up to now.
    await b.client.update('Note', edited!, { pinned: true });
    await b.client.remove('Note', resurrected!);
    await b.client.remove('Note', gone1!);
    await b.client.remove('Note', gone2!);
    await waitFor(async () => (await serverNotes(bed.gw, token)).length === 2, 'B\'s changes on the server');
    await waitFor(() => b.client.status.getSnapshot().pending === 0, 'B drained');
    const report = await compactChangeLog(bed.gw.database.db, { cutoff: new Date(), workspaceIds: [workspace] });
    expect(report.dropped).toBeGreaterThan(0);

    // A comes back.
    const status = await reconnectAndDrain(a.proxy, a.client);
    expect(status.failed).toEqual([]);

    // Its old token was refused as expired, and it started over from null.
    const pulls = recorder.requests.filter((r) => r.operationName === 'PullChanges' && r.status !== undefined);
    const refused = pulls.findIndex((p) => p.body?.errors?.[0]?.extensions?.code === 'SYNC_TOKEN_EXPIRED');
    expect(refused).toBeGreaterThanOrEqual(0);
    expect(pulls[refused + 1]!.variables?.since ?? null).toBeNull();

    // Its offline edits reached the server. The note B deleted is back; with its
    // history compacted away the server cannot tell whether B had changed the
    // text, so A's text (a MANUAL field) is held in a conflict rather than lost.
    const results = pushResults(recorder.requests);
    expect(results.map((r) => [r.status, r.error?.code ?? null]).sort()).toEqual([
      ['APPLIED', null],
      ['CONFLICT', 'CONCURRENT_EDIT'],
      ['MERGED', null],
    ]);
    const server = await serverNotes(bed.gw, token);
    expect(Object.fromEntries(server.map((n) => [n.id, { title: n.title, body: n.body, pinned: n.pinned }]))).toEqual({
      [kept!]: { title: 'kept', body: 'kept body', pinned: false },
      [edited!]: { title: 'edited by A', body: 'edited body', pinned: true },
      [resurrected!]: { title: 'resurrected', body: 'resurrected body', pinned: false },
      [created]: { title: 'made offline by A', body: '', pinned: true },
    });

    // A's cache no longer shows the notes deleted meanwhile, and both clients equal the server.
    const replica = await waitForReplicasToMatchServer(bed.gw, token, [a.client, b.client]);
    expect(replica.notes.map((n) => n.id).sort()).toEqual([kept, edited, resurrected, created].sort());
    expect(replica.conflicts).toMatchObject([{ entityId: resurrected, field: 'body', clientValue: 'A kept writing' }]);
    expect(cachedNotes(a.client)!.map((n) => n.id)).not.toContain(gone1);
    expect(cachedNotes(a.client)!.map((n) => n.id)).not.toContain(gone2);
  });
});
