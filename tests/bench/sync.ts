/**
 * 4. Initial sync: a fresh sync client (client/lib, MemoryStorage) pulls the
 * whole corpus until it is live. Baseline: the same pages pulled with plain
 * fetch and JSON.parse, no cache: what the client library adds.
 *
 * Delta sync: the client stops, 1% of the notes change, a client on the same
 * storage starts again and catches up. Its bytes on the wire (HTTP and the
 * WebSocket, counted at a TCP proxy) against the JSON of the changed rows as
 * stored, and against the full re-download.
 */
import WebSocket from 'ws';
import { NotesDocument } from '../../client/generated/graphql.ts';
import { createSyncClient, MemoryStorage, type SyncClient } from '../../client/lib/index.ts';
import { chunk, CountingProxy, postGraphQLText, PULL_QUERY, pushOrThrow, timed, within, type BenchContext } from './harness.ts';
import type { Corpus } from './pull.ts';

/** The client's pull page: the largest the gateway accepts (MAX_PAGE_SIZE), as an app syncing a big workspace would set it. */
const PAGE_SIZE = 5000;

function startClient(url: string, token: string, storage: MemoryStorage): Promise<SyncClient> {
  return createSyncClient({ url, token, storage, webSocketImpl: WebSocket, pageSize: PAGE_SIZE, backoff: { baseMs: 20, capMs: 200 } });
}

/** Starts a client on `storage` and resolves with it once it has pulled everything and is live. */
async function syncUntilLive(url: string, token: string, storage: MemoryStorage, what: string): Promise<SyncClient> {
  const client = await startClient(url, token, storage);
  await within(180_000, what, client.status.when((s) => s.state === 'live'));
  return client;
}

function cachedNoteCount(client: SyncClient): number {
  return client.urql.readQuery(NotesDocument, {})?.data?.notes.length ?? 0;
}

export async function benchSync(ctx: BenchContext, corpus: Corpus) {
  const size = corpus.noteIds.length;
  const proxy = await CountingProxy.start(ctx.gateway.url);
  try {
    // Initial sync.
    const storage = new MemoryStorage();
    const initial = await timed(() => syncUntilLive(proxy.url, corpus.token, storage, 'initial sync'));
    const fullBytes = proxy.received;
    const first = initial.result;
    if (cachedNoteCount(first) !== size) throw new Error(`initial sync: ${cachedNoteCount(first)} notes in the cache, expected ${size}`);
    await first.stop();

    const plain = await timed(async () => {
      let since: string | null = null;
      for (;;) {
        const { text } = await postGraphQLText(ctx.gateway.url, corpus.token, PULL_QUERY, { since, limit: PAGE_SIZE });
        const page = (JSON.parse(text) as { data: { pullChanges: { syncToken: string; hasMore: boolean } } }).data.pullChanges;
        since = page.syncToken;
        if (!page.hasMore) return;
      }
    });
    ctx.log(`initial sync of ${size} notes: ${(initial.ms / 1000).toFixed(2)} s (plain pulls ${(plain.ms / 1000).toFixed(2)} s), ${fullBytes} bytes`);
    ctx.report({
      group: '4',
      name: `initial sync, ${size / 1000}k notes`,
      unit: 's',
      value: initial.ms / 1000,
      baseline: plain.ms / 1000,
      baselineName: 'fetch + JSON.parse, no cache',
      target: size >= 100_000 ? { of: 'value', kind: 'max', limit: 3 } : undefined,
    });

    // Delta sync: 1% of the notes change while the client is away.
    const changed = corpus.noteIds.filter((_, i) => i % 100 === 0);
    const edits = changed.map((id, i) => ({ mutationId: `edit-${i}`, entityType: 'Note', entityId: id, op: 'UPDATE', data: { title: `Edited note ${i}` } }));
    for (const batch of chunk(edits, 1000)) await pushOrThrow(ctx.gateway.url, corpus.token, 'bench-editor', batch);
    const rows = await ctx.sql`select * from notes where workspace_id = ${corpus.workspaceId} and id = any(${changed}::uuid[])`;
    const rowsJsonBytes = Buffer.byteLength(JSON.stringify(rows));

    proxy.reset();
    const delta = await timed(() => syncUntilLive(proxy.url, corpus.token, storage, 'delta sync'));
    const deltaBytes = proxy.received;
    const second = delta.result;
    await second.stop();
    ctx.log(
      `delta sync of ${changed.length} changed notes: ${deltaBytes} bytes in ${delta.ms.toFixed(0)} ms ` +
        `(changed rows as JSON ${rowsJsonBytes}, full re-download ${fullBytes})`,
    );
    ctx.report({
      group: '4',
      name: `delta sync bytes, ${changed.length} of ${size / 1000}k changed`,
      unit: 'bytes',
      value: deltaBytes,
      baseline: rowsJsonBytes,
      baselineName: 'JSON of changed rows',
      target: { of: 'ratio', kind: 'max', limit: 1.2 },
    });
    ctx.report({
      group: '4',
      name: 'delta sync bytes vs full re-download',
      unit: 'bytes',
      value: deltaBytes,
      baseline: fullBytes,
      baselineName: 'full re-download',
    });
    ctx.detail('sync', {
      notes: size,
      pageSize: PAGE_SIZE,
      initialMs: initial.ms,
      plainPullMs: plain.ms,
      fullBytes,
      changed: changed.length,
      deltaBytes,
      deltaMs: delta.ms,
      rowsJsonBytes,
    });
  } finally {
    await proxy.close();
  }
}
