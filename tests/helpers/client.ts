/**
 * Helpers for testing the sync client in Node against the real gateway:
 * starting clients (through a proxy, on a file), polling for a condition,
 * reading the cache and the server, and recording what the client sends.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ConflictsDocument, FoldersDocument, NotesDocument } from '../../client/generated/graphql.ts';
import { createSyncClient, MemoryStorage, type SyncClient, type SyncClientOptions, type SyncStatus } from '../../client/lib/index.ts';
import type { PersistedSyncState, SyncStorage } from '../../client/lib/storage.ts';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway.ts';
import { TcpProxy } from './proxy.ts';

/** Polls `probe` until it returns a truthy value (which it resolves to) or the time is up. A probe that throws counts as "not yet". */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 20_000,
  /** Said on timeout, to show what there was instead. */
  detail?: () => unknown,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const shown = detail ? `; instead: ${JSON.stringify(detail())}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}${shown}`);
    }
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with the client's status once it satisfies `predicate`; fails with the last status after the timeout. */
export async function waitForStatus(client: SyncClient, predicate: (status: SyncStatus) => boolean, what: string, timeoutMs = 20_000) {
  try {
    return await waitFor(() => (predicate(client.status.getSnapshot()) ? client.status.getSnapshot() : null), what, timeoutMs);
  } catch (error) {
    const { state, pending, failed, lastError } = client.status.getSnapshot();
    throw new Error(`${(error as Error).message} (last status: ${JSON.stringify({ state, pending, failed: failed.length, lastError })})`);
  }
}

export type CachedNote = { id: string; version: number; title: string; body: string; pinned: boolean; deleted: boolean };

/** The notes list as the client's cache has it (null: no list in the cache yet, or the cache is still loading). */
export function cachedNotes(client: SyncClient): CachedNote[] | null {
  return (client.urql.readQuery(NotesDocument, {})?.data?.notes as CachedNote[] | undefined) ?? null;
}

/** The fields two replicas must agree on, in a stable order. */
export function comparable(notes: readonly { id: string; version: number; title: string; body: string; pinned: boolean }[]) {
  return notes
    .map(({ id, version, title, body, pinned }) => ({ id, version, title, body, pinned }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The server's live notes of the token's workspace. */
export async function serverNotes(gw: TestGateway, token: string): Promise<CachedNote[]> {
  const response = await gw.graphql(token, 'query { notes { id version title body pinned deleted } }');
  if (response.errors) throw new Error(`notes query failed: ${JSON.stringify(response.errors)}`);
  return response.data.notes as CachedNote[];
}

/** Polls until the client's cached notes equal the server's (id, version, title, body, pinned); returns them. */
export async function waitForCacheToMatchServer(client: SyncClient, gw: TestGateway, token: string, timeoutMs = 20_000) {
  let last: unknown;
  try {
    return await waitFor(
      async () => {
        const server = comparable(await serverNotes(gw, token));
        const cached = comparable(cachedNotes(client) ?? []);
        last = { server, cached };
        return JSON.stringify(server) === JSON.stringify(cached) ? server : null;
      },
      'the cache to equal the server',
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${JSON.stringify(last, null, 1)}`);
  }
}

export interface RecordedRequest {
  operationName: string | undefined;
  variables: any;
  status?: number;
  body?: any;
  error?: unknown;
}

/** A fetch that records every GraphQL request the client makes and the answer it got (or the failure). */
export function recordingFetch(): { fetch: typeof fetch; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const recording: typeof fetch = async (input, init) => {
    const entry: RecordedRequest = { operationName: undefined, variables: undefined };
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (init?.body) {
      const body = JSON.parse(String(init.body)) as { operationName?: string; variables?: unknown; query?: string };
      entry.operationName = body.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(body.query ?? '')?.[1];
      entry.variables = body.variables;
    } else {
      entry.operationName = url.searchParams.get('operationName') ?? /(?:query|mutation)\s+(\w+)/.exec(url.searchParams.get('query') ?? '')?.[1];
      const variables = url.searchParams.get('variables');
      entry.variables = variables ? JSON.parse(variables) : undefined;
    }
    requests.push(entry);
    try {
      const response = await fetch(input, init);
      entry.status = response.status;
      entry.body = await response
        .clone()
        .json()
        .catch(() => undefined);
      return response;
    } catch (error) {
      entry.error = error;
      throw error;
    }
  };
  return { fetch: recording, requests };
}

/** The push answers (one result per change) the client received. */
export function pushResults(requests: RecordedRequest[]): { mutationId: string; status: string; error: { code: string } | null }[] {
  return requests
    .filter((r) => r.operationName === 'PushChanges' && r.body?.data?.pushChanges)
    .flatMap((r) => r.body.data.pushChanges.results);
}

/** A sync client with test defaults: the `ws` WebSocket and a short backoff so reconnection is quick. */
export function startClient(options: Omit<SyncClientOptions, 'webSocketImpl'> & { webSocketImpl?: unknown }): Promise<SyncClient> {
  return createSyncClient({ webSocketImpl: WebSocket, backoff: { baseMs: 20, capMs: 200 }, ...options });
}

/**
 * Stops a client and waits until its storage is quiet, so a new client can open
 * the same file: two FileStorage instances writing one path at once race on the
 * temporary file (see tests/unit/client-storage.test.ts and the stop() tests in
 * tests/client/storage-lifecycle.test.ts).
 */
export async function stopAndSettle(client: SyncClient, storage: SyncStorage) {
  await client.stop();
  await sleep(100);
  await storage.flush();
}

/** A temporary directory for client state files; `remove` deletes it. */
export function tempDir(): { path(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sync-client-test-'));
  return { path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

interface StateFile {
  entries: Record<string, string | undefined>;
  metadata: unknown[];
  state: PersistedSyncState | null;
}

export function readStateFile(path: string): StateFile {
  return JSON.parse(readFileSync(path, 'utf8')) as StateFile;
}

export function writeStateFile(path: string, contents: StateFile) {
  writeFileSync(path, JSON.stringify(contents));
}

/** Things to undo after a test, last first; errors are collected so every step runs. */
export class Cleanup {
  readonly #steps: (() => unknown)[] = [];

  add<T>(step: () => unknown, value?: T): T {
    this.#steps.push(step);
    return value as T;
  }

  /** A proxy to `targetUrl`, closed after the test. */
  async proxy(targetUrl: string): Promise<TcpProxy> {
    const proxy = await TcpProxy.start(targetUrl);
    return this.add(() => proxy.close(), proxy);
  }

  /** Stops the client after the test, and waits for its storage's last write (see stopAndSettle). */
  client(client: SyncClient): SyncClient {
    return this.add(async () => {
      await client.stop();
      await sleep(100);
    }, client);
  }

  async run() {
    const errors: unknown[] = [];
    while (this.#steps.length) {
      try {
        await this.#steps.pop()!();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length) throw new AggregateError(errors, 'cleanup failed');
  }
}

/**
 * The setup every client test file shares: one gateway on the database under
 * test for the file, a temporary directory for storage files, and the clean-up
 * of clients and proxies after each test. Read `gw` inside tests and hooks.
 */
export function clientTestbed() {
  const bed = { gw: undefined as unknown as TestGateway, dir: tempDir(), cleanup: new Cleanup() };
  beforeAll(async () => {
    bed.gw = await startTestGateway();
  });
  afterEach(() => bed.cleanup.run());
  afterAll(async () => {
    await bed.gw?.close();
    bed.dir.remove();
  });
  return bed;
}

// ---- Records of every synced type (notes with their strategy fields, folders, conflicts) ----

export type ReplicaNote = CachedNote & { folderId: string | null; tags: string[]; likes: number };
export type ReplicaFolder = { id: string; version: number; name: string };
export type ReplicaConflict = {
  id: string;
  version: number;
  kind: string;
  entityType: string;
  entityId: string;
  field: string;
  serverValue: unknown;
  clientValue: unknown;
  survivorId: string | null;
  clientId: string | null;
  resolved: boolean;
};
/** The live records of a workspace as one replica (a client's cache, or the server) has them, each list sorted by id. */
export interface Replica {
  notes: ReplicaNote[];
  folders: ReplicaFolder[];
  conflicts: ReplicaConflict[];
}

const byId = <T extends { id: string }>(records: readonly T[]) => [...records].sort((a, b) => a.id.localeCompare(b.id));

function replicaOf(lists: { notes?: readonly any[] | null; folders?: readonly any[] | null; conflicts?: readonly any[] | null }): Replica {
  return {
    notes: byId(
      (lists.notes ?? []).map(({ id, version, title, body, pinned, deleted, folderId, tags, likes }) => ({ id, version, title, body, pinned, deleted, folderId, tags, likes })),
    ),
    folders: byId((lists.folders ?? []).map(({ id, version, name }) => ({ id, version, name }))),
    conflicts: byId(
      (lists.conflicts ?? []).map(({ id, version, kind, entityType, entityId, field, serverValue, clientValue, survivorId, clientId, resolved }) => ({
        id,
        version,
        kind,
        entityType,
        entityId,
        field,
        serverValue,
        clientValue,
        survivorId,
        clientId,
        resolved,
      })),
    ),
  };
}

/** The client's cached notes, folders and conflicts (lists not in the cache yet count as empty). */
export function cachedReplica(client: SyncClient): Replica {
  return replicaOf({
    notes: client.urql.readQuery(NotesDocument, {})?.data?.notes,
    folders: client.urql.readQuery(FoldersDocument, {})?.data?.folders,
    conflicts: client.urql.readQuery(ConflictsDocument, {})?.data?.conflicts,
  });
}

/** The server's live notes, folders and conflicts of the token's workspace. */
export async function serverReplica(gw: TestGateway, token: string): Promise<Replica> {
  const response = await gw.graphql(
    token,
    `query {
      notes { id version title body pinned deleted folderId tags likes }
      folders { id version name }
      conflicts { id version kind entityType entityId field serverValue clientValue survivorId clientId resolved }
    }`,
  );
  if (response.errors) throw new Error(`lists query failed: ${JSON.stringify(response.errors)}`);
  return replicaOf(response.data);
}

/** Polls until every client's cache has exactly the server's notes, folders and conflicts; returns them. */
export async function waitForReplicasToMatchServer(gw: TestGateway, token: string, clients: SyncClient[], timeoutMs = 20_000): Promise<Replica> {
  let last: unknown;
  try {
    return await waitFor(
      async () => {
        const server = await serverReplica(gw, token);
        const caches = clients.map(cachedReplica);
        last = { server, caches };
        return caches.every((c) => JSON.stringify(c) === JSON.stringify(server)) ? server : null;
      },
      'every replica to equal the server',
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${JSON.stringify(last, null, 1)}`);
  }
}

export const isOfflineStatus = (s: { state: string }) => s.state === 'offline' || s.state === 'backingOff';

/** A live client behind its own proxy (to take it offline), stopped after the test. */
export async function liveClientBehindProxy(gw: TestGateway, cleanup: Cleanup, token: string, options: Partial<SyncClientOptions> = {}) {
  const proxy = await cleanup.proxy(gw.url);
  const client = cleanup.client(await startClient({ url: proxy.url, token, storage: new MemoryStorage(), ...options }));
  await waitForStatus(client, (s) => s.state === 'live', 'live');
  return { proxy, client };
}

/** Cuts the client's network and waits until it knows. */
export async function goOffline(proxy: TcpProxy, client: SyncClient) {
  proxy.offline();
  await waitForStatus(client, isOfflineStatus, 'the client to go offline');
}

/** Restores the network and waits until the client has sent everything and is live again. */
export async function reconnectAndDrain(proxy: TcpProxy, client: SyncClient) {
  proxy.online();
  client.nudge();
  return waitForStatus(client, (s) => s.pending === 0 && s.state === 'live', 'the client to reconnect and drain its outbox');
}
