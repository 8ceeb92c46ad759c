/**
 * A small observable of the sync status for a UI: `subscribe` and `getSnapshot`
 * fit React's useSyncExternalStore; the snapshot changes identity only when a
 * value changes.
 */
import type { LoopState } from './sync-loop.ts';
import type { FailedChange } from './storage.ts';

export interface SyncStatus {
  state: LoopState;
  /** The server is reachable (syncing or live). */
  online: boolean;
  /** Local changes not yet acknowledged by the server. */
  pending: number;
  /** Changes the server refused; retry or discard them. */
  failed: readonly FailedChange[];
  lastSyncedAt: string | null;
  lastError: string | null;
}

export class StatusStore {
  #snapshot: SyncStatus;
  readonly #listeners = new Set<() => void>();

  constructor(initial: SyncStatus) {
    this.#snapshot = initial;
  }

  getSnapshot = (): SyncStatus => this.#snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  update(next: SyncStatus) {
    const previous = this.#snapshot;
    const changed = (Object.keys(next) as (keyof SyncStatus)[]).some((key) => next[key] !== previous[key]);
    if (!changed) return;
    this.#snapshot = next;
    for (const listener of this.#listeners) listener();
  }

  /** Resolves when the status satisfies `predicate` (now or later). */
  when(predicate: (status: SyncStatus) => boolean): Promise<SyncStatus> {
    if (predicate(this.#snapshot)) return Promise.resolve(this.#snapshot);
    return new Promise((resolve) => {
      const stop = this.subscribe(() => {
        if (predicate(this.#snapshot)) {
          stop();
          resolve(this.#snapshot);
        }
      });
    });
  }
}
