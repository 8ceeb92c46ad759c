/** The client's durable sync state: the outbox, the failed list, the token; durable before a call resolves. */
import { describe, expect, it } from 'vitest';
import { MemoryStorage, type PendingChange, type PersistedSyncState } from '../../client/lib/storage.ts';
import { SyncStateStore } from '../../client/lib/sync-state.ts';

let counter = 0;
function change(overrides: Partial<PendingChange> = {}): PendingChange {
  counter += 1;
  return {
    mutationId: `m-${counter}`,
    entityType: 'Note',
    entityId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    op: 'INSERT',
    data: { title: `n${counter}`, body: '', pinned: false },
    queuedAt: new Date(0).toISOString(),
    ...overrides,
  };
}

/** A storage whose state writes complete only when the test says so. */
class GatedStorage extends MemoryStorage {
  readonly gates: (() => void)[] = [];
  writes = 0;
  override writeSyncState(state: PersistedSyncState) {
    this.writes += 1;
    return new Promise<void>((resolve) => {
      this.gates.push(() => {
        this.state = structuredClone(state);
        resolve();
      });
    });
  }
  open() {
    for (const gate of this.gates.splice(0)) gate();
  }
}

/** A store on a GatedStorage that already holds a state (so loading writes nothing). */
async function gatedStore() {
  const storage = new GatedStorage();
  storage.state = { clientId: 'client-1', syncToken: null, lastSyncedAt: null, pending: [], failed: [] };
  return { storage, state: await SyncStateStore.load(storage, () => 'unused') };
}

async function store(storage = new MemoryStorage()) {
  return { storage, state: await SyncStateStore.load(storage, () => 'client-1') };
}

const ids = (changes: readonly { mutationId: string }[]) => changes.map((c) => c.mutationId);

describe('SyncStateStore', () => {
  it('creates and saves a fresh state with a new client id the first time', async () => {
    const { storage, state } = await store();
    expect(state.clientId).toBe('client-1');
    expect(state.syncToken).toBeNull();
    expect(state.pending).toEqual([]);
    expect(storage.state).toEqual({ clientId: 'client-1', syncToken: null, lastSyncedAt: null, pending: [], failed: [] });
  });

  it('loads a saved state as it is, keeping its client id', async () => {
    const storage = new MemoryStorage();
    const pending = [change()];
    storage.state = { clientId: 'saved', syncToken: 's1.x', lastSyncedAt: '2020-01-01T00:00:00.000Z', pending, failed: [] };
    const { state } = await store(storage);
    expect(state.clientId).toBe('saved');
    expect(state.syncToken).toBe('s1.x');
    expect(state.lastSyncedAt).toBe('2020-01-01T00:00:00.000Z');
    expect(state.pending).toEqual(pending);
  });

  it('enqueue resolves only once the change is durable', async () => {
    const { storage, state } = await gatedStore();
    expect(storage.writes).toBe(0);
    const queued = change();
    let resolved = false;
    const enqueued = state.enqueue(queued).then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    expect(storage.state!.pending).toEqual([]);
    storage.open();
    await enqueued;
    expect(storage.state!.pending).toEqual([queued]);
    // The saved state is a copy: later changes in memory do not leak into it unsaved.
    const next = state.enqueue(change());
    expect(storage.state!.pending).toHaveLength(1);
    storage.open();
    await next;
    expect(storage.state!.pending).toHaveLength(2);
  });

  it('keeps the outbox in the order changes were made, and acknowledge removes only what the server answered', async () => {
    const { storage, state } = await store();
    const [a, b, c, d] = [change(), change(), change(), change()];
    for (const x of [a, b, c, d]) await state.enqueue(x);
    expect(ids(state.pending)).toEqual([a.mutationId, b.mutationId, c.mutationId, d.mutationId]);
    expect(state.isPending(b.mutationId)).toBe(true);

    await state.acknowledge([c.mutationId, a.mutationId, 'unknown']);
    expect(ids(state.pending)).toEqual([b.mutationId, d.mutationId]);
    expect(ids(storage.state!.pending)).toEqual([b.mutationId, d.mutationId]);
    expect(state.isPending(a.mutationId)).toBe(false);
  });

  it('fail moves changes from the outbox to the failed list with the error, durably', async () => {
    const { storage, state } = await store();
    const [a, b, c] = [change(), change(), change()];
    for (const x of [a, b, c]) await state.enqueue(x);
    await state.fail([{ mutationId: b.mutationId, error: { code: 'INVALID_FIELD_VALUE', message: 'pinned must be a Boolean' } }]);
    expect(ids(state.pending)).toEqual([a.mutationId, c.mutationId]);
    expect(state.failed).toEqual([
      { change: b, error: { code: 'INVALID_FIELD_VALUE', message: 'pinned must be a Boolean' }, failedAt: expect.any(String) },
    ]);
    expect(Number.isNaN(Date.parse(state.failed[0]!.failedAt))).toBe(false);
    expect(storage.state!.failed).toEqual(state.failed);
    // Failing something that is not pending changes nothing.
    await state.fail([{ mutationId: 'unknown', error: { code: 'X', message: 'x' } }]);
    expect(state.failed).toHaveLength(1);
    expect(ids(state.pending)).toEqual([a.mutationId, c.mutationId]);
  });

  it('retry puts a failed change back at the end of the outbox (after everything made before the retry)', async () => {
    const { storage, state } = await store();
    const [a, b, c] = [change(), change(), change()];
    for (const x of [a, b, c]) await state.enqueue(x);
    await state.fail([{ mutationId: a.mutationId, error: { code: 'RECORD_NOT_FOUND', message: '' } }]);
    const d = change();
    await state.enqueue(d);

    expect(await state.retry(a.mutationId)).toEqual(a);
    expect(ids(state.pending)).toEqual([b.mutationId, c.mutationId, d.mutationId, a.mutationId]);
    expect(state.failed).toEqual([]);
    expect(ids(storage.state!.pending)).toEqual([b.mutationId, c.mutationId, d.mutationId, a.mutationId]);
    expect(storage.state!.failed).toEqual([]);
    // The same mutation id, so the server can still recognise a replay.
    expect(state.pending.at(-1)!.mutationId).toBe(a.mutationId);
    expect(await state.retry(a.mutationId)).toBeUndefined();
    expect(await state.retry('unknown')).toBeUndefined();
  });

  it('discard drops a failed change for good; an unknown id changes (and writes) nothing', async () => {
    const { storage, state } = await gatedStore();
    const [a, b] = [change(), change()];
    for (const x of [a, b]) {
      const p = state.enqueue(x);
      storage.open();
      await p;
    }
    const failing = state.fail([
      { mutationId: a.mutationId, error: { code: 'E', message: '' } },
      { mutationId: b.mutationId, error: { code: 'E', message: '' } },
    ]);
    storage.open();
    await failing;

    const discarding = state.discard(a.mutationId);
    storage.open();
    expect(await discarding).toBe(true);
    expect(state.failed.map((f) => f.change.mutationId)).toEqual([b.mutationId]);
    expect(storage.state!.failed.map((f) => f.change.mutationId)).toEqual([b.mutationId]);

    const writes = storage.writes;
    expect(await state.discard('unknown')).toBe(false);
    expect(storage.writes).toBe(writes);
  });

  it('saves the sync token, and the time of the last sync only for a real token', async () => {
    const { storage, state } = await store();
    await state.setSyncToken('s1.a');
    expect(state.syncToken).toBe('s1.a');
    const syncedAt = state.lastSyncedAt;
    expect(syncedAt).not.toBeNull();
    expect(storage.state!.syncToken).toBe('s1.a');
    await state.setSyncToken(null);
    expect(state.syncToken).toBeNull();
    expect(state.lastSyncedAt).toBe(syncedAt);
    expect(storage.state!.syncToken).toBeNull();
  });

  it('tells its listeners about every change, until they unsubscribe', async () => {
    const { state } = await store();
    let calls = 0;
    const off = state.onChange(() => (calls += 1));
    await state.enqueue(change());
    await state.setSyncToken('t');
    expect(calls).toBe(2);
    off();
    await state.enqueue(change());
    expect(calls).toBe(2);
  });
});
