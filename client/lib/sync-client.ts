/**
 * The offline-first sync client: an urql Client with graphcache's
 * offlineExchange (normalized, persisted cache; optimistic layers), the outbox
 * exchange (ordered, durable replay of local changes), graphql-ws for the live
 * stream, and the sync loop that drives them. Runs in browsers and in Node.
 */
import { Client, fetchExchange, subscriptionExchange, type CombinedError, type OperationResult } from '@urql/core';
import { offlineExchange } from '@urql/exchange-graphcache';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { pipe, subscribe } from 'wonka';
import {
  ChangesDocument,
  PullChangesDocument,
  PushChangesDocument,
  type ChangeInput,
  type ChangeOp,
} from '../generated/graphql.ts';
import type { BackoffOptions } from './backoff.ts';
import { cacheOptions, syncedTypes, type RecordData } from './cache.ts';
import { isOfflineCause, isOfflineError, isServerShuttingDown } from './offline.ts';
import { OutboxPump } from './outbox-exchange.ts';
import { StatusStore, type SyncStatus } from './status.ts';
import { toChangeInput, type PendingChange, type SyncStorage } from './storage.ts';
import { SyncStateStore } from './sync-state.ts';
import { SyncLoop, type PullOutcome, type StreamEnd, type SyncOperations } from './sync-loop.ts';
import { assertChangeShape, CONFLICT_TYPE } from './strategies.ts';

export interface SyncClientOptions {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** WebSocket endpoint for the live stream; defaults to `url` with ws(s)://. */
  wsUrl?: string;
  /** The bearer JWT, or a function returning the current one. */
  token: string | (() => string);
  storage: SyncStorage;
  /** Node before 22 has no global WebSocket: pass the `ws` package's. */
  webSocketImpl?: unknown;
  fetch?: typeof fetch;
  backoff?: BackoffOptions;
  /** Changes per push during replay (at most the server's MAX_BATCH_SIZE). */
  batchSize?: number;
  /** Changes per pull page. */
  pageSize?: number;
  /** Start syncing at once (default true). */
  autoStart?: boolean;
  newId?: () => string;
}

export interface SyncClient {
  /** The urql client: use it with urql's hooks (Provider value) or directly. */
  urql: Client;
  status: StatusStore;
  clientId: string;
  /** COUNTER fields take a starting integer, SET fields an array of strings (see syncRules). */
  create(entityType: string, data: Record<string, unknown>, id?: string): Promise<string>;
  /**
   * Only the changed fields. COUNTER fields take `{ inc: n }`, SET fields
   * `{ add: [...], remove: [...] }`; any other shape for them is a programming
   * error and rejects before anything is queued.
   */
  update(entityType: string, id: string, data: Record<string, unknown>): Promise<void>;
  remove(entityType: string, id: string): Promise<void>;
  /**
   * Settles a SyncConflict by giving its field `value`: the conflict leaves the
   * `conflicts` list and the record shows `value` at once. Queued like any
   * change, so it works offline; if another client settled it first, the
   * server keeps that settlement and the cache shows it (nothing fails).
   */
  resolveConflict(conflictId: string, value: unknown): Promise<void>;
  /** Settles a SyncConflict keeping the record as it is; also how a DUPLICATE_VALUE notice is dismissed. */
  dismissConflict(conflictId: string): Promise<void>;
  retryFailed(mutationId: string): Promise<void>;
  discardFailed(mutationId: string): Promise<void>;
  start(): void;
  /** The network may be back: retry now. */
  nudge(): void;
  stop(): Promise<void>;
}

export async function createSyncClient(options: SyncClientOptions): Promise<SyncClient> {
  const newId = options.newId ?? (() => crypto.randomUUID());
  const token = typeof options.token === 'function' ? options.token : () => options.token as string;
  const storage = options.storage;
  const state = await SyncStateStore.load(storage, newId);
  const pump = new OutboxPump(state, options.batchSize ?? 500);
  const onlineListeners = new Set<() => void>();
  // graphcache restores its persisted cache asynchronously and keeps in-memory
  // values over persisted ones: anything written before hydration ends (an
  // optimistic layer, a pulled page) would hide what was persisted.
  let stopped = false;
  let markHydrated!: () => void;
  const hydrated = new Promise<void>((resolve) => (markHydrated = resolve));

  const ws: WsClient = createWsClient({
    url: options.wsUrl ?? options.url.replace(/^http/, 'ws'),
    connectionParams: () => ({ authorization: `Bearer ${token()}` }),
    webSocketImpl: options.webSocketImpl,
    // The sync loop owns retries, with backoff, and resumes from its token.
    retryAttempts: 0,
    lazy: true,
    lazyCloseTimeout: 0,
  });

  const urql = new Client({
    url: options.url,
    fetch: options.fetch,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token()}` } }),
    exchanges: [
      offlineExchange({
        ...cacheOptions(() => state.pending),
        storage: {
          ...bindStorage(storage, () => stopped),
          onOnline: (flush: () => void) => void onlineListeners.add(flush),
          onCacheHydrated: () => markHydrated(),
        },
        // The sync loop handles its own operations' failures; offline fallback
        // to cached data is for the app's queries.
        isOfflineError: (error: CombinedError | undefined, result?: OperationResult) =>
          result?.operation.context.syncLoop ? false : isOfflineError(error),
      }),
      pump.exchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ query: request.query ?? '', variables: request.variables }, sink) }),
        }),
      }),
      fetchExchange,
    ],
  });

  const operations: SyncOperations = {
    syncToken: () => state.syncToken,
    // graphcache persists a result's records in a timeout of its own; saving the
    // token after it (same write queue) keeps a saved token from ever getting
    // ahead of the saved records.
    saveSyncToken: (next) => new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => state.setSyncToken(next)),
    async pullPage(since) {
      const result = await urql
        .query(PullChangesDocument, { since, limit: options.pageSize }, { requestPolicy: 'network-only', syncLoop: true })
        .toPromise();
      return classifyPull(result);
    },
    flush: () => pump.flush(),
    subscribe(since, handlers) {
      const { unsubscribe } = pipe(
        urql.subscription(ChangesDocument, { since }, { syncLoop: true }),
        subscribe((result) => {
          if (result.error) return handlers.end(classifyStreamError(result.error));
          const batch = result.data?.changes;
          if (batch) handlers.batch(batch.syncToken);
        }),
      );
      return unsubscribe;
    },
  };

  let loop: SyncLoop | null = null;
  const status = new StatusStore(snapshot());
  loop = new SyncLoop(operations, {
    backoff: options.backoff,
    onState: (loopState) => {
      if (loopState === 'live') for (const flush of onlineListeners) flush();
      status.update(snapshot());
    },
  });
  state.onChange(() => queueMicrotask(() => status.update(snapshot())));

  function snapshot(): SyncStatus {
    const loopState = loop?.state ?? 'initial';
    return {
      state: loopState,
      online: loopState === 'live' || loopState === 'syncing',
      pending: state.pending.length,
      failed: state.failed,
      lastSyncedAt: state.lastSyncedAt,
      lastError: loop?.lastError ?? null,
    };
  }

  /** Sends a change through graphcache (optimistic layer) to the outbox, which holds it until answered. */
  function dispatch(change: PendingChange) {
    void urql
      .mutation(PushChangesDocument, { clientId: state.clientId, changes: [toChangeInput(change)] }, { outbox: true })
      .toPromise();
  }

  async function record(entityType: string, entityId: string, op: ChangeOp, data: Record<string, unknown> | null) {
    if (!syncedTypes[entityType]) throw new Error(`"${entityType}" is not a synced type`);
    assertChangeShape(entityType, op, data);
    const change: PendingChange = {
      mutationId: newId(),
      entityType,
      entityId,
      op,
      data: data ?? undefined,
      baseVersion: op === 'INSERT' ? undefined : knownVersion(entityType, entityId),
      queuedAt: new Date().toISOString(),
    };
    // Durable before anything else: a crash after this line loses nothing.
    await state.enqueue(change);
    dispatch(change);
    loop!.kick();
  }

  /** Conflicts are the server's records: clients only settle them, through resolveConflict and dismissConflict. */
  function write(entityType: string, entityId: string, op: ChangeOp, data: Record<string, unknown> | null) {
    if (entityType === CONFLICT_TYPE) {
      return Promise.reject(new Error(`${CONFLICT_TYPE} records are made by the server: settle them with resolveConflict or dismissConflict`));
    }
    return record(entityType, entityId, op, data);
  }

  /** The server version the app last saw (optimistic layers keep it), used as baseVersion. */
  function knownVersion(entityType: string, id: string): number | undefined {
    const { query, field } = syncedTypes[entityType]!.list;
    const list = urql.readQuery(query, {})?.data?.[field] as RecordData[] | undefined;
    const version = list?.find((r) => r.id === id)?.version;
    return version ? version : undefined;
  }

  // Bring back the optimistic layers of changes made before a restart, in order,
  // on top of the restored cache (they read the records they change from it).
  await hydrated;
  for (const change of state.pending) dispatch(change);

  const client: SyncClient = {
    urql,
    status,
    clientId: state.clientId,
    async create(entityType, data, id = newId()) {
      await write(entityType, id, 'INSERT', data);
      return id;
    },
    update: (entityType, id, data) => write(entityType, id, 'UPDATE', data),
    remove: (entityType, id) => write(entityType, id, 'DELETE', null),
    resolveConflict: (conflictId, value) => record(CONFLICT_TYPE, conflictId, 'UPDATE', { resolvedValue: value }),
    dismissConflict: (conflictId) => record(CONFLICT_TYPE, conflictId, 'DELETE', null),
    async retryFailed(mutationId) {
      const change = await state.retry(mutationId);
      if (change) {
        dispatch(change);
        loop!.kick();
      }
    },
    async discardFailed(mutationId) {
      await state.discard(mutationId);
    },
    start: () => loop!.start(),
    nudge: () => loop!.nudge(),
    async stop() {
      loop!.stop();
      pump.stop();
      await ws.dispose();
      // graphcache persists in a timeout of its own, and token saves wait one
      // turn behind it: let both run, so nothing is written after stop resolves.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await new Promise((resolve) => setTimeout(resolve, 0));
      stopped = true;
      state.close();
      await storage.flush();
    },
  };
  if (options.autoStart !== false) client.start();
  return client;
}

function bindStorage(storage: SyncStorage, isStopped: () => boolean) {
  return {
    // An unreadable cache must not stop the client: it starts empty and the
    // sync loop pulls everything again.
    readData: () =>
      storage.readData().catch((error: unknown) => {
        console.warn('sync client: the persisted cache could not be read; starting from an empty cache', error);
        return {};
      }),
    // Empty deltas are skipped, and nothing is written once the client has stopped.
    writeData: async (delta: Parameters<SyncStorage['writeData']>[0]) => {
      if (isStopped() || Object.keys(delta).length === 0) return;
      await storage.writeData(delta);
    },
    readMetadata: () => storage.readMetadata(),
    writeMetadata: (requests: Parameters<SyncStorage['writeMetadata']>[0]) => storage.writeMetadata(requests),
  };
}

/** The server refused the sync token: the answer is a full resync. */
function isBadTokenError(error: CombinedError): boolean {
  const code = error.graphQLErrors[0]?.extensions?.code;
  return code === 'BAD_SYNC_TOKEN' || code === 'SYNC_TOKEN_EXPIRED';
}

function classifyPull(result: OperationResult): PullOutcome {
  if (result.error) {
    if (isOfflineError(result.error)) return { kind: 'offline' };
    if (isBadTokenError(result.error)) return { kind: 'badToken' };
    return { kind: 'failed', reason: result.error.message };
  }
  const batch = result.data?.pullChanges;
  if (!batch) return { kind: 'failed', reason: 'pullChanges returned no data' };
  return { kind: 'page', syncToken: batch.syncToken, hasMore: batch.hasMore };
}

export function classifyStreamError(error: CombinedError): StreamEnd {
  if (isBadTokenError(error)) return 'badToken';
  if (isServerShuttingDown(error)) return 'offline';
  if (error.networkError && (isOfflineCause(error.networkError) || isSocketClose(error.networkError))) return 'offline';
  return 'failed';
}

/**
 * graphql-ws reports a dropped connection as a CloseEvent (or an Event on connect
 * failure), among them a gateway's 1012 "Service Restart" on shutdown: all mean
 * reconnect later, from the last token.
 */
function isSocketClose(error: unknown): boolean {
  const e = error as { type?: string; code?: number } | undefined;
  return e?.type === 'close' || e?.type === 'error' || typeof e?.code === 'number';
}

export type { ChangeInput };
