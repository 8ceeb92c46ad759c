/**
 * The sync figures as Prometheus metrics: a SyncObserver that records into a
 * prom-client registry of its own (one per gateway, so several gateways in one
 * process never collide in the global registry).
 *
 * Labels are bounded on purpose: statuses and error codes are fixed sets of
 * the protocol; workspace, client and record ids never become labels.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ChangeErrorCode } from './errors.ts';
import type { ChangeStatus } from './sync/push.ts';
import type { PushOutcomeView, SyncObserver } from './sync/observer.ts';

const STATUSES: readonly ChangeStatus[] = ['APPLIED', 'MERGED', 'CONFLICT', 'REJECTED', 'DUPLICATE'];
const CHANGE_CODES: ReadonlySet<string> = new Set(Object.values(ChangeErrorCode));
/** Positions behind the head: from "up to date" to "a full sync of a large workspace". */
const LAG_BUCKETS = [0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

export function createSyncMetrics(registry: Registry): SyncObserver {
  const registers = [registry];
  const pushes = new Counter({ name: 'sync_pushes_total', help: 'Pushes committed (pushChanges and resolveConflict)', registers });
  const changes = new Counter({
    name: 'sync_changes_total',
    help: 'Pushed changes by outcome',
    labelNames: ['status'] as const,
    registers,
  });
  const conflicts = new Counter({
    name: 'sync_conflicts_total',
    help: 'Pushed changes settled by a conflict rule, by code (CONFLICT results, and MERGED ones that carry a code)',
    labelNames: ['code'] as const,
    registers,
  });
  const rejected = new Counter({
    name: 'sync_changes_rejected_total',
    help: 'Pushed changes REJECTED, by code',
    labelNames: ['code'] as const,
    registers,
  });
  const subscriptions = new Gauge({ name: 'sync_subscriptions_active', help: 'Open changes subscriptions', registers });
  const pullLag = new Histogram({
    name: 'sync_pull_lag',
    help: 'Log positions between where a pull starts and its workspace\'s newest change',
    buckets: LAG_BUCKETS,
    registers,
  });
  // Every status is exported from the start, so rates work before the first of each.
  for (const status of STATUSES) changes.labels(status).inc(0);

  return {
    onPush(results: readonly PushOutcomeView[]) {
      pushes.inc();
      for (const { status, error } of results) {
        changes.labels(status).inc();
        if (!error) continue;
        const code = CHANGE_CODES.has(error.code) ? error.code : 'OTHER';
        if (status === 'REJECTED') rejected.labels(code).inc();
        else if (status === 'CONFLICT' || status === 'MERGED') conflicts.labels(code).inc();
      }
    },
    onPull(lag: number) {
      pullLag.observe(lag);
    },
    onSubscriptionOpened() {
      subscriptions.inc();
    },
    onSubscriptionClosed() {
      subscriptions.dec();
    },
  };
}
