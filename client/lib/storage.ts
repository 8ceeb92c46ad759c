/**
 * Persistence behind graphcache's StorageAdapter, plus the sync client's own
 * durable state. One interface, so the same client logic runs with IndexedDB in
 * the browser, a file in Node, or memory in tests.
 */
import type { SerializedEntries, SerializedRequest, StorageAdapter } from '@urql/exchange-graphcache';
import type { ChangeInput } from '../generated/graphql.ts';

/** A local change the server has not acknowledged yet. */
export type PendingChange = ChangeInput & { queuedAt: string };

/** The change as the server takes it (the queue time stays local). */
export function toChangeInput({ queuedAt: _queuedAt, ...change }: PendingChange): ChangeInput {
  return change;
}

/** A change the server refused, kept until the user retries or discards it. */
export interface FailedChange {
  change: PendingChange;
  error: { code: string; message: string };
  failedAt: string;
}

export interface PersistedSyncState {
  clientId: string;
  syncToken: string | null;
  lastSyncedAt: string | null;
  pending: PendingChange[];
  failed: FailedChange[];
}

/**
 * graphcache's adapter (cache data and its offline metadata) plus the sync
 * state. `onOnline` is supplied by the sync client, not the storage.
 */
export interface SyncStorage extends Omit<StorageAdapter, 'onOnline'> {
  readData(): Promise<SerializedEntries>;
  writeData(delta: SerializedEntries): Promise<void>;
  readMetadata(): Promise<SerializedRequest[] | null>;
  writeMetadata(requests: SerializedRequest[]): void;
  readSyncState(): Promise<PersistedSyncState | null>;
  /** Resolves once the state is durable: callers rely on that before reporting a change as saved. */
  writeSyncState(state: PersistedSyncState): Promise<void>;
  /** Resolves once every write issued so far is durable. */
  flush(): Promise<void>;
  close?(): Promise<void>;
}

/** Applies a delta from graphcache: undefined deletes an entry. */
export function mergeEntries(entries: SerializedEntries, delta: SerializedEntries): void {
  for (const key in delta) {
    const value = delta[key];
    if (value === undefined) delete entries[key];
    else entries[key] = value;
  }
}

/** Keeps everything in memory: for tests, or a session that needs no persistence. */
export class MemoryStorage implements SyncStorage {
  entries: SerializedEntries = {};
  metadata: SerializedRequest[] = [];
  state: PersistedSyncState | null = null;

  async readData() {
    return { ...this.entries };
  }
  async writeData(delta: SerializedEntries) {
    mergeEntries(this.entries, delta);
  }
  async readMetadata() {
    return [...this.metadata];
  }
  writeMetadata(requests: SerializedRequest[]) {
    this.metadata = [...requests];
  }
  async readSyncState() {
    return this.state && structuredClone(this.state);
  }
  async writeSyncState(state: PersistedSyncState) {
    this.state = structuredClone(state);
  }
  async flush() {}
}
