/** The status store a UI reads (useSyncExternalStore-shaped). */
import { describe, expect, it } from 'vitest';
import { StatusStore, type SyncStatus } from '../../client/lib/status.ts';

const initial: SyncStatus = { state: 'initial', online: false, pending: 0, failed: [], lastSyncedAt: null, lastError: null };

describe('StatusStore', () => {
  it('keeps the snapshot identity when nothing changed, and notifies only on a change', () => {
    const store = new StatusStore(initial);
    let notified = 0;
    store.subscribe(() => (notified += 1));
    store.update({ ...initial });
    expect(store.getSnapshot()).toBe(initial);
    expect(notified).toBe(0);

    store.update({ ...initial, pending: 1 });
    expect(store.getSnapshot()).not.toBe(initial);
    expect(store.getSnapshot().pending).toBe(1);
    expect(notified).toBe(1);
  });

  it('stops notifying after unsubscribe', () => {
    const store = new StatusStore(initial);
    let notified = 0;
    const off = store.subscribe(() => (notified += 1));
    off();
    store.update({ ...initial, state: 'syncing', online: true });
    expect(notified).toBe(0);
  });

  it('when() resolves at once if already true, or at the first matching update', async () => {
    const store = new StatusStore(initial);
    await expect(store.when((s) => s.state === 'initial')).resolves.toBe(initial);

    const live = store.when((s) => s.state === 'live');
    let settled = false;
    void live.then(() => (settled = true));
    store.update({ ...initial, state: 'syncing', online: true });
    await Promise.resolve();
    expect(settled).toBe(false);
    store.update({ ...initial, state: 'live', online: true });
    await expect(live).resolves.toMatchObject({ state: 'live' });
  });

  it('when() unsubscribes once resolved', async () => {
    const store = new StatusStore(initial);
    let calls = 0;
    const waiting = store.when((s) => {
      calls += 1;
      return s.pending === 1;
    });
    store.update({ ...initial, pending: 1 });
    await waiting;
    const after = calls;
    store.update({ ...initial, pending: 2 });
    store.update({ ...initial, pending: 3 });
    expect(calls).toBe(after);
  });
});
