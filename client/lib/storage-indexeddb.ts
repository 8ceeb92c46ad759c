/**
 * A durable store for browsers: one IndexedDB database with three object stores,
 * written with plain IndexedDB (no wrapper library: the few operations needed
 * here fit in a page, and every write's durability point is explicit).
 *
 * - `entries`: graphcache's serialized cache, one row per entry key. writeData
 *   receives deltas (an undefined value deletes the entry), applied in one
 *   transaction.
 * - `metadata`: graphcache's offline metadata (its queued mutations), one row.
 * - `state`: the sync client's state (client id, token, outbox, failed list), one row.
 *
 * Writes resolve when their transaction has completed (IndexedDB's `complete`
 * event, requested with `durability: 'strict'` where supported), so a change the
 * sync client reports as saved survives a reload, a crash or closing the tab.
 *
 * Every write transaction spans all three stores. IndexedDB orders readwrite
 * transactions only when their scopes overlap, so this makes writes commit in
 * the order they were issued, across stores: the sync client saves a sync token
 * after the records it covers, and the token must never be durable first.
 */
import type { SerializedEntries, SerializedRequest } from '@urql/exchange-graphcache';
import type { PersistedSyncState, SyncStorage } from './storage.ts';

export const DEFAULT_DATABASE_NAME = 'sync-gateway';
const VERSION = 1;
const ENTRIES = 'entries';
const METADATA = 'metadata';
const STATE = 'state';
const METADATA_KEY = 'requests';
const STATE_KEY = 'sync';
const ALL_STORES = [ENTRIES, METADATA, STATE];

export interface IndexedDBStorageOptions {
  /** Database name (default `sync-gateway`): use one per user or workspace so their data never mixes. */
  name?: string;
  /** The IDBFactory to use (default: the global `indexedDB`). */
  indexedDB?: IDBFactory;
}

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function completed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new DOMException('transaction aborted', 'AbortError'));
  });
}

export class IndexedDBStorage implements SyncStorage {
  readonly #db: IDBDatabase;
  readonly #inFlight = new Set<Promise<void>>();

  private constructor(db: IDBDatabase) {
    this.#db = db;
  }

  /** Opens (creating or upgrading when needed) the database. */
  static async open(options: IndexedDBStorageOptions = {}): Promise<IndexedDBStorage> {
    const factory = options.indexedDB ?? globalThis.indexedDB;
    if (!factory) throw new Error('IndexedDB is not available in this environment');
    const request = factory.open(options.name ?? DEFAULT_DATABASE_NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const name of ALL_STORES) {
        if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
      }
    };
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('the sync database is blocked by another tab running an older version; close it and reload'));
    });
    // Another tab upgrading the schema: let it, this connection is done.
    db.onversionchange = () => db.close();
    return new IndexedDBStorage(db);
  }

  /** Deletes the whole database (e.g. on sign-out). Close every storage on it first. */
  static delete(options: IndexedDBStorageOptions = {}): Promise<void> {
    const factory = options.indexedDB ?? globalThis.indexedDB;
    return promised(factory.deleteDatabase(options.name ?? DEFAULT_DATABASE_NAME)).then(() => undefined);
  }

  async readData(): Promise<SerializedEntries> {
    const store = this.#db.transaction(ENTRIES, 'readonly').objectStore(ENTRIES);
    const [keys, values] = await Promise.all([promised(store.getAllKeys()), promised(store.getAll())]);
    const entries: SerializedEntries = {};
    for (let i = 0; i < keys.length; i++) entries[String(keys[i])] = values[i] as string;
    return entries;
  }

  writeData(delta: SerializedEntries): Promise<void> {
    return this.#write(ENTRIES, (store) => {
      for (const key in delta) {
        const value = delta[key];
        if (value === undefined) store.delete(key);
        else store.put(value, key);
      }
    });
  }

  async readMetadata(): Promise<SerializedRequest[] | null> {
    const store = this.#db.transaction(METADATA, 'readonly').objectStore(METADATA);
    const value = (await promised(store.get(METADATA_KEY))) as SerializedRequest[] | undefined;
    return value ?? null;
  }

  writeMetadata(requests: SerializedRequest[]): void {
    // graphcache does not wait for this one; flush() does.
    void this.#write(METADATA, (store) => store.put(requests, METADATA_KEY)).catch((error: unknown) =>
      console.error('sync storage: saving the offline metadata failed', error),
    );
  }

  async readSyncState(): Promise<PersistedSyncState | null> {
    const store = this.#db.transaction(STATE, 'readonly').objectStore(STATE);
    const value = (await promised(store.get(STATE_KEY))) as PersistedSyncState | undefined;
    return value ?? null;
  }

  /** put() copies the state (structured clone) when called; resolves once the transaction has committed. */
  writeSyncState(state: PersistedSyncState): Promise<void> {
    return this.#write(STATE, (store) => store.put(state, STATE_KEY));
  }

  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async close(): Promise<void> {
    await this.flush();
    this.#db.close();
  }

  #write(storeName: string, apply: (store: IDBObjectStore) => void): Promise<void> {
    let transaction: IDBTransaction;
    try {
      transaction = this.#db.transaction(ALL_STORES, 'readwrite', { durability: 'strict' });
    } catch (error) {
      return Promise.reject(error);
    }
    const done = completed(transaction);
    try {
      apply(transaction.objectStore(storeName));
    } catch (error) {
      transaction.abort();
      // `done` rejects with the abort; report the cause instead.
      done.catch(() => {});
      return Promise.reject(error);
    }
    const tracked = done.finally(() => this.#inFlight.delete(tracked));
    // flush() only waits; the caller gets the rejection.
    tracked.catch(() => {});
    this.#inFlight.add(tracked);
    return tracked;
  }
}

/** Opens the IndexedDB storage: `createSyncClient({ storage: await openIndexedDBStorage() })`. */
export function openIndexedDBStorage(options?: IndexedDBStorageOptions): Promise<IndexedDBStorage> {
  return IndexedDBStorage.open(options);
}
