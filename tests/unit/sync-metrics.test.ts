import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createSyncMetrics } from '../../server/metrics.ts';
import { observeSubscription, type SyncObserver } from '../../server/sync/observer.ts';

async function value(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

const fail = (code: string) => ({ code: code as never, message: 'm' });

describe('createSyncMetrics', () => {
  it('counts a push, its changes by status, conflicts and rejections by code', async () => {
    const registry = new Registry();
    const observer = createSyncMetrics(registry);
    observer.onPush([
      { status: 'APPLIED', error: null },
      { status: 'APPLIED', error: null },
      { status: 'MERGED', error: fail('RECORD_RESURRECTED') },
      { status: 'CONFLICT', error: fail('CONCURRENT_EDIT') },
      { status: 'CONFLICT', error: fail('CONCURRENT_EDIT') },
      { status: 'REJECTED', error: fail('UNKNOWN_FIELD') },
      { status: 'REJECTED', error: fail('SOMETHING_NEW') },
      { status: 'DUPLICATE', error: null },
    ]);
    observer.onPush([]);
    expect(await value(registry, 'sync_pushes_total')).toBe(2);
    expect(await value(registry, 'sync_changes_total', { status: 'APPLIED' })).toBe(2);
    expect(await value(registry, 'sync_changes_total', { status: 'MERGED' })).toBe(1);
    expect(await value(registry, 'sync_changes_total', { status: 'CONFLICT' })).toBe(2);
    expect(await value(registry, 'sync_changes_total', { status: 'REJECTED' })).toBe(2);
    expect(await value(registry, 'sync_changes_total', { status: 'DUPLICATE' })).toBe(1);
    expect(await value(registry, 'sync_conflicts_total', { code: 'CONCURRENT_EDIT' })).toBe(2);
    expect(await value(registry, 'sync_conflicts_total', { code: 'RECORD_RESURRECTED' })).toBe(1);
    expect(await value(registry, 'sync_changes_rejected_total', { code: 'UNKNOWN_FIELD' })).toBe(1);
    // A code outside the protocol's table cannot add a series of its own.
    expect(await value(registry, 'sync_changes_rejected_total', { code: 'OTHER' })).toBe(1);
  });

  it('exports every status from the start', async () => {
    const registry = new Registry();
    createSyncMetrics(registry);
    const text = await registry.metrics();
    for (const status of ['APPLIED', 'MERGED', 'CONFLICT', 'REJECTED', 'DUPLICATE']) {
      expect(text).toContain(`sync_changes_total{status="${status}"} 0`);
    }
  });

  it('tracks open subscriptions and the pull lag', async () => {
    const registry = new Registry();
    const observer = createSyncMetrics(registry);
    observer.onSubscriptionOpened();
    observer.onSubscriptionOpened();
    observer.onSubscriptionClosed();
    expect(await value(registry, 'sync_subscriptions_active')).toBe(1);
    observer.onPull(0);
    observer.onPull(5);
    observer.onPull(5000);
    const lag = await registry.getSingleMetric('sync_pull_lag')!.get();
    const sample = (name: string, le?: number) =>
      // prom-client names each histogram sample (_bucket, _sum, _count) in metricName.
      lag.values.find((v) => (v as { metricName?: string }).metricName === name && (le === undefined || v.labels.le === le))!.value;
    expect(sample('sync_pull_lag_count')).toBe(3);
    expect(sample('sync_pull_lag_sum')).toBe(5005);
    expect(sample('sync_pull_lag_bucket', 0)).toBe(1);
    expect(sample('sync_pull_lag_bucket', 10)).toBe(2);
    expect(sample('sync_pull_lag_bucket', 1000)).toBe(2);
  });

  it('keeps gateways apart: one registry each, no collision in one process', async () => {
    const a = new Registry();
    const b = new Registry();
    const first = createSyncMetrics(a);
    createSyncMetrics(b);
    first.onPush([{ status: 'APPLIED', error: null }]);
    expect(await value(a, 'sync_pushes_total')).toBe(1);
    expect(await value(b, 'sync_pushes_total')).toBe(0);
  });
});

describe('observeSubscription', () => {
  function counting() {
    const events: string[] = [];
    const observer: SyncObserver = {
      onPush() {},
      onPull() {},
      onSubscriptionOpened: () => events.push('opened'),
      onSubscriptionClosed: () => events.push('closed'),
    };
    return { events, observer };
  }

  it('counts a stream as closed when the client leaves while it waits for the next change', async () => {
    const { events, observer } = counting();
    let returned = false;
    const live: AsyncIterableIterator<number> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => new Promise(() => {}), // no change ever arrives
      return: async () => {
        returned = true;
        return { done: true, value: undefined };
      },
    };
    const stream = observeSubscription(live, observer);
    void stream.next();
    expect(events).toEqual(['opened']);
    await stream.return!();
    expect(events).toEqual(['opened', 'closed']);
    expect(returned).toBe(true);
  });

  it('counts a stream that ends or fails once, and one never read not at all', async () => {
    const { events, observer } = counting();
    async function* twoThenDone() {
      yield 1;
      yield 2;
    }
    const values: number[] = [];
    for await (const v of observeSubscription(twoThenDone(), observer)) values.push(v);
    expect(values).toEqual([1, 2]);
    expect(events).toEqual(['opened', 'closed']);

    async function* failing(): AsyncGenerator<number> {
      throw new Error('boom');
    }
    const broken = observeSubscription(failing(), observer);
    await expect(broken.next()).rejects.toThrow('boom');
    await broken.return!();
    expect(events).toEqual(['opened', 'closed', 'opened', 'closed']);

    await observeSubscription(twoThenDone(), observer).return!();
    expect(events).toHaveLength(4);
  });
});
