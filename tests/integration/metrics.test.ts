import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { scrapeMetrics } from '../helpers/metrics.ts';
import { subscribeChanges, waitFor } from '../helpers/subscribe.ts';
import { newNote, pull, PULL, push, updateNote } from '../helpers/sync.ts';

let gw: TestGateway;
let origin: string;
beforeAll(async () => {
  gw = await startTestGateway();
  origin = new URL(gw.url).origin;
});
afterAll(async () => gw?.close());

/** What an action changed in a metric: the scrape after minus the scrape before. */
async function delta(action: () => Promise<unknown>, name: string, labels?: Record<string, string>) {
  const before = (await scrapeMetrics(origin)).value(name, labels);
  await action();
  return (await scrapeMetrics(origin)).value(name, labels) - before;
}

async function waitForGauge(name: string, expected: number) {
  let value = NaN;
  for (let attempt = 0; attempt < 200; attempt++) {
    value = (await scrapeMetrics(origin)).value(name);
    if (value === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} stayed at ${value}, expected ${expected}`);
}

describe('/metrics', () => {
  it('is Prometheus text with the sync metrics and the GraphQL metrics', async () => {
    const response = await fetch(`${origin}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const { text } = await scrapeMetrics(origin);
    for (const name of ['sync_pushes_total', 'sync_changes_total', 'sync_subscriptions_active', 'sync_pull_lag', 'graphql_errors_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('counts pushes and changes by status, and conflicts and rejections by code', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote({ body: 'original' });
    const before = await scrapeMetrics(origin);
    await push(gw, token, [note, newNote()]);
    await push(gw, token, [note]); // sent again: DUPLICATE
    await push(gw, token, [updateNote(crypto.randomUUID(), { title: 'x' })]); // RECORD_NOT_FOUND
    await push(gw, token, [updateNote(note.entityId, { body: 'by A' }, 1)], 'client-a');
    await push(gw, token, [updateNote(note.entityId, { body: 'by B' }, 1)], 'client-b'); // CONCURRENT_EDIT
    const after = await scrapeMetrics(origin);
    const diff = (name: string, labels?: Record<string, string>) => after.value(name, labels) - before.value(name, labels);

    expect(diff('sync_pushes_total')).toBe(5);
    expect(diff('sync_changes_total', { status: 'APPLIED' })).toBe(3);
    expect(diff('sync_changes_total', { status: 'DUPLICATE' })).toBe(1);
    expect(diff('sync_changes_total', { status: 'REJECTED' })).toBe(1);
    expect(diff('sync_changes_total', { status: 'CONFLICT' })).toBe(1);
    expect(diff('sync_changes_total', { status: 'MERGED' })).toBe(0);
    expect(diff('sync_changes_rejected_total', { code: 'RECORD_NOT_FOUND' })).toBe(1);
    expect(diff('sync_conflicts_total', { code: 'CONCURRENT_EDIT' })).toBe(1);
    expect(diff('sync_conflicts_total')).toBe(1);
  });

  it('records how far behind the head a pull starts', async () => {
    const token = await gw.token(newWorkspace());
    await push(gw, token, [newNote(), newNote(), newNote()]);
    const before = await scrapeMetrics(origin);
    const { syncToken } = await pull(gw, token, null, 1); // 3 behind, reads one of them
    await pull(gw, token, syncToken); // 2 behind
    await pull(gw, token, (await pull(gw, token)).syncToken); // 3 behind, then up to date
    const after = await scrapeMetrics(origin);
    expect(after.value('sync_pull_lag_count') - before.value('sync_pull_lag_count')).toBe(4);
    expect(after.value('sync_pull_lag_sum') - before.value('sync_pull_lag_sum')).toBe(3 + 2 + 3 + 0);
    expect(after.value('sync_pull_lag_bucket', { le: '0' }) - before.value('sync_pull_lag_bucket', { le: '0' })).toBe(1);
  });

  it('counts request errors by extensions.code', async () => {
    const token = await gw.token(newWorkspace());
    expect(await delta(() => gw.graphql(token, PULL, { since: 'garbage' }), 'graphql_errors_total', { code: 'BAD_SYNC_TOKEN' })).toBe(1);
    expect(await delta(() => gw.graphql(null, PULL), 'graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
    expect(await delta(() => gw.graphql(token, '{ pullChanges('), 'graphql_errors_total', { code: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
    expect(await delta(() => gw.graphql(token, '{ nope }'), 'graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(await delta(() => gw.graphql(token, PULL, { limit: 'ten' }), 'graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(await delta(() => gw.graphql(token, PULL), 'graphql_errors_total')).toBe(0);
  });

  it('counts operations by type, without client-chosen labels', async () => {
    const token = await gw.token(newWorkspace());
    expect(await delta(() => pull(gw, token), 'graphql_envelop_request', { operationType: 'query' })).toBe(1);
    const { text } = await scrapeMetrics(origin);
    expect(text).not.toMatch(/operationName=|path=|url=/);
    expect(text).not.toContain('ws-'); // no workspace ids
  });

  it('counts open subscriptions, on both transports', async () => {
    const token = await gw.token(newWorkspace());
    await waitForGauge('sync_subscriptions_active', 0);
    const sse = subscribeChanges(gw, 'sse', { token });
    const ws = subscribeChanges(gw, 'ws', { token });
    await waitFor(() => sse.batches.length > 0 && ws.batches.length > 0, 'the first event on both transports');
    await waitForGauge('sync_subscriptions_active', 2);
    await sse.dispose();
    await waitForGauge('sync_subscriptions_active', 1);
    await ws.dispose();
    await waitForGauge('sync_subscriptions_active', 0);
  });
});

describe('METRICS off', () => {
  let quiet: TestGateway;
  beforeAll(async () => (quiet = await startTestGateway({ gateway: { metrics: false } })));
  afterAll(async () => quiet?.close());

  it('serves no /metrics', async () => {
    const response = await fetch(`${new URL(quiet.url).origin}/metrics`);
    expect(response.status).toBe(404);
  });
});
