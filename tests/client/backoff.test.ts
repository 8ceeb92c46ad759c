/**
 * An unreachable or refusing gateway is retried with backoff, not hammered; a
 * nudge retries at once; reaching live again resets the backoff. Counts are
 * taken at the proxy (one TCP connection per attempt). Only upper bounds are
 * asserted on counts, plus "more than one": never how fast anything is.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../client/lib/index.ts';
import { Cleanup, sleep, startClient, waitFor, waitForStatus } from '../helpers/client.ts';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { pullAll } from '../helpers/sync.ts';

let gw: TestGateway;
const cleanup = new Cleanup();

beforeAll(async () => (gw = await startTestGateway()));
afterEach(() => cleanup.run());
afterAll(async () => gw?.close());

async function offlineProxy() {
  const proxy = await cleanup.proxy(gw.url);
  proxy.offline();
  return proxy;
}

describe('retrying while the gateway is unreachable', () => {
  it('backs off: more than one attempt, far fewer than a loop without backoff, then live after online + nudge', async () => {
    const token = await gw.token(newWorkspace());
    const proxy = await offlineProxy();
    const client = cleanup.client(
      await startClient({ url: proxy.url, token, storage: new MemoryStorage(), backoff: { baseMs: 50, capMs: 400 } }),
    );
    await sleep(1500);
    const attempts = proxy.attempts;
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThan(40);
    expect(proxy.refused).toBe(attempts);
    const status = client.status.getSnapshot();
    expect(['offline', 'syncing']).toContain(status.state);
    expect(status.online).toBe(status.state === 'syncing');
    // Being offline is not an error.
    expect(status.lastError).toBeNull();

    proxy.online();
    client.nudge();
    await waitForStatus(client, (s) => s.state === 'live', 'live after the network is back');
    expect(client.status.getSnapshot().online).toBe(true);
  });

  it('waits at most min(cap, base * 2^n) between attempts (the longest waits, injected)', async () => {
    const token = await gw.token(newWorkspace());
    const proxy = await offlineProxy();
    // random ≈ 1: every wait is its ceiling: 50, 100, 200, 400, 400, ... ms.
    const client = cleanup.client(
      await startClient({ url: proxy.url, token, storage: new MemoryStorage(), backoff: { baseMs: 50, capMs: 400, random: () => 0.999 } }),
    );
    await sleep(1500);
    // Attempts start at about 0, 50, 150, 350, 750, 1150 ms (later, never earlier): at most 6 in 1.5 s.
    expect(proxy.attempts).toBeGreaterThan(1);
    expect(proxy.attempts).toBeLessThanOrEqual(6);
    await client.stop();
  });

  it('retries at once on nudge() instead of waiting out a long backoff', async () => {
    const token = await gw.token(newWorkspace());
    const proxy = await offlineProxy();
    // Every wait is 10 minutes: only a nudge can bring it back within the test.
    const client = cleanup.client(
      await startClient({ url: proxy.url, token, storage: new MemoryStorage(), backoff: { baseMs: 600_000, capMs: 600_000, random: () => 0.999 } }),
    );
    await waitForStatus(client, (s) => s.state === 'offline', 'offline');
    await sleep(300);
    expect(proxy.attempts).toBe(1);

    proxy.online();
    client.nudge();
    await waitForStatus(client, (s) => s.state === 'live', 'live after the nudge');
    expect(proxy.attempts).toBeGreaterThan(1);
  });

  it('resets the backoff once live: a later outage starts again from the base delay', async () => {
    const token = await gw.token(newWorkspace());
    const proxy = await cleanup.proxy(gw.url);
    // Ceilings 1 s, 2 s, 4 s, ... up to 10 min; random ≈ 1 waits the ceiling.
    const client = cleanup.client(
      await startClient({ url: proxy.url, token, storage: new MemoryStorage(), backoff: { baseMs: 1_000, capMs: 600_000, random: () => 0.999 } }),
    );
    await waitForStatus(client, (s) => s.state === 'live', 'live');

    // A first outage with six failed attempts (nudged, so no waiting): the next wait would be 64 s.
    proxy.offline();
    for (let failures = 1; failures <= 6; failures++) {
      await waitForStatus(client, (s) => s.state === 'offline', 'offline');
      client.nudge();
      await waitFor(() => proxy.refused >= failures, `refused attempt ${failures}`);
    }
    await waitForStatus(client, (s) => s.state === 'offline', 'offline');
    proxy.online();
    client.nudge();
    await waitForStatus(client, (s) => s.state === 'live', 'live again');

    // A second outage: the first retry comes after the base delay (1 s), not after 64 s.
    proxy.resetCounters();
    proxy.offline();
    await waitForStatus(client, (s) => s.state === 'offline', 'offline again');
    await waitFor(() => proxy.refused >= 1, 'a retry after the base delay', 20_000);
  });
});

describe('a gateway that refuses the credentials', () => {
  it('backs off with lastError set, keeps unsent changes pending (not failed), and recovers when the token is fixed', async () => {
    const workspace = newWorkspace();
    const good = await gw.token(workspace);
    let current = 'not-a-jwt';
    const client = cleanup.client(
      await startClient({ url: gw.url, token: () => current, storage: new MemoryStorage(), backoff: { baseMs: 20, capMs: 100 } }),
    );
    const snapshots = [client.status.getSnapshot()];
    client.status.subscribe(() => snapshots.push(client.status.getSnapshot()));
    const refused = await waitForStatus(client, (s) => s.state === 'backingOff' && s.lastError !== null, 'backing off');
    expect(refused.lastError).toMatch(/./);
    expect(refused.online).toBe(false);

    await client.create('Note', { title: 'made while refused', body: '', pinned: false });
    await sleep(300);
    expect(client.status.getSnapshot()).toMatchObject({ pending: 1, failed: [] });
    expect((await pullAll(gw, good)).changes).toEqual([]);

    current = good;
    await waitForStatus(client, (s) => s.state === 'live' && s.pending === 0, 'live with the good token');
    expect(client.status.getSnapshot().failed).toEqual([]);
    // No snapshot ever says "live" while still carrying the error that preceded it.
    const live = snapshots.filter((s) => s.state === 'live');
    expect(live.length).toBeGreaterThan(0);
    expect(live.map((s) => s.lastError)).toEqual(live.map(() => null));
    expect((await pullAll(gw, good)).changes.map((c) => c.record.title)).toEqual(['made while refused']);
  });
});
