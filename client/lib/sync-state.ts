/**
 * The client's durable sync state: its id, the sync token, the outbox of local
 * changes not yet acknowledged (in the order the user made them) and the changes
 * the server refused. Every change is written to storage before the call that
 * made it resolves, and leaves the outbox only once the server has answered it.
 */
import type { PendingChange, FailedChange, PersistedSyncState, SyncStorage } from './storage.ts';

export class SyncStateStore {
  #state: PersistedSyncState;
  #closed = false;
  readonly #listeners = new Set<() => void>();

  private constructor(
    private readonly storage: SyncStorage,
    state: PersistedSyncState,
  ) {
    this.#state = state;
  }

  static async load(storage: SyncStorage, newClientId: () => string): Promise<SyncStateStore> {
    const saved = await storage.readSyncState();
    const state = saved ?? { clientId: newClientId(), syncToken: null, lastSyncedAt: null, pending: [], failed: [] };
    const store = new SyncStateStore(storage, state);
    if (!saved) await store.#save();
    return store;
  }

  get clientId() {
    return this.#state.clientId;
  }
  get syncToken() {
    return this.#state.syncToken;
  }
  get lastSyncedAt() {
    return this.#state.lastSyncedAt;
  }
  get pending(): readonly PendingChange[] {
    return this.#state.pending;
  }
  get failed(): readonly FailedChange[] {
    return this.#state.failed;
  }

  isPending(mutationId: string): boolean {
    return this.#state.pending.some((c) => c.mutationId === mutationId);
  }

  enqueue(change: PendingChange): Promise<void> {
    this.#state.pending = [...this.#state.pending, change];
    return this.#save();
  }

  /** The server answered these (applied, merged, duplicate or conflict): they are done. */
  acknowledge(mutationIds: Iterable<string>): Promise<void> {
    const done = new Set(mutationIds);
    if (done.size === 0) return Promise.resolve();
    this.#state.pending = this.#state.pending.filter((c) => !done.has(c.mutationId));
    return this.#save();
  }

  /** The server refused these: out of the outbox, onto the visible failed list. */
  fail(failures: { mutationId: string; error: FailedChange['error'] }[]): Promise<void> {
    const byId = new Map(failures.map((f) => [f.mutationId, f.error]));
    if (byId.size === 0) return Promise.resolve();
    const failedAt = new Date().toISOString();
    const newlyFailed = this.#state.pending.flatMap((change) => {
      const error = byId.get(change.mutationId);
      return error ? [{ change, error, failedAt }] : [];
    });
    // New arrays, never in-place edits: status snapshots handed out earlier must not change.
    this.#state.failed = [...this.#state.failed, ...newlyFailed];
    this.#state.pending = this.#state.pending.filter((c) => !byId.has(c.mutationId));
    return this.#save();
  }

  /** Back into the outbox, at its end: a retry is a new attempt, after everything made before it. */
  async retry(mutationId: string): Promise<PendingChange | undefined> {
    const failed = this.#state.failed.find((f) => f.change.mutationId === mutationId);
    if (!failed) return undefined;
    this.#state.failed = this.#state.failed.filter((f) => f !== failed);
    this.#state.pending = [...this.#state.pending, failed.change];
    await this.#save();
    return failed.change;
  }

  async discard(mutationId: string): Promise<boolean> {
    const before = this.#state.failed.length;
    this.#state.failed = this.#state.failed.filter((f) => f.change.mutationId !== mutationId);
    if (this.#state.failed.length === before) return false;
    await this.#save();
    return true;
  }

  setSyncToken(token: string | null): Promise<void> {
    this.#state.syncToken = token;
    if (token) this.#state.lastSyncedAt = new Date().toISOString();
    return this.#save();
  }

  /** No more writes: a stopped client must not overwrite what a newer one on the same storage saved. */
  close(): void {
    this.#closed = true;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #save(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    for (const listener of this.#listeners) listener();
    return this.storage.writeSyncState(this.#state);
  }
}
