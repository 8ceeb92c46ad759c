/**
 * The sync client across a gateway's graceful shutdown and restart (on the same
 * database and port, as a supervisor restarts it): a shutdown is "offline for a
 * moment", never a failure. The client keeps its unsent changes, backs off,
 * reconnects and sends them.
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSyncClient, MemoryStorage, type SyncClient } from '../../client/lib/index.ts';
import type { LoopState } from '../../client/lib/sync-loop.ts';
import { createGateway, type Gateway } from '../../server/app.ts';
import { newWorkspace, startTestGateway, testGatewayConfig, type TestGateway } from '../helpers/gateway.ts';
import { pullAll } from '../helpers/sync.ts';
import { waitForStatus } from '../helpers/client.ts';

let gw: TestGateway;
let restarted: Gateway | null = null;
let client: SyncClient | null = null;

beforeEach(async () => {
  gw = await startTestGateway();
});

afterEach(async () => {
  await client?.stop();
  client = null;
  if (restarted) await restarted.close();
  else await gw.gateway.close();
  restarted = null;
  await gw.database.close();
});

const port = () => Number(new URL(gw.url).port);

/** A new gateway on the same database and port, like a supervisor's restart. */
async function restart() {
  restarted = await createGateway({
    database: gw.database,
    config: testGatewayConfig(),
    appDir: null,
  });
  await restarted.listen(port(), '127.0.0.1');
}

async function liveClient() {
  const token = await gw.token(newWorkspace());
  const states: LoopState[] = [];
  client = await createSyncClient({
    url: gw.url,
    token,
    storage: new MemoryStorage(),
    webSocketImpl: WebSocket,
    backoff: { baseMs: 50, capMs: 200 },
  });
  client.status.subscribe(() => {
    const { state } = client!.status.getSnapshot();
    if (states.at(-1) !== state) states.push(state);
  });
  await waitForStatus(client, (s) => s.state === 'live', 'the client to be live');
  return { client, token, states };
}

/**
 * A request whose body never finishes arriving: in flight until the socket is
 * destroyed. It resolves once the server answered "100 Continue", which Node
 * writes just before handing the request to the gateway, in the same turn.
 */
async function stalledRequest() {
  const socket = net.connect(port(), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const continued = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.write(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n`);
  await continued;
  socket.write('{"query":');
  return socket;
}

describe('the sync client and a gateway that shuts down gracefully', () => {
  it('takes the WebSocket close (1012) as offline, keeps a change made meanwhile, and sends it once the gateway is back', async () => {
    const { client, token, states } = await liveClient();
    await client.create('Note', { title: 'before', body: '', pinned: false });
    await waitForStatus(client, (s) => s.pending === 0, 'the first note to be sent');

    await gw.gateway.close();
    await waitForStatus(client, (s) => s.state === 'offline', 'the client to go offline');
    await client.create('Note', { title: 'while down', body: '', pinned: false });
    expect(client.status.getSnapshot()).toMatchObject({ pending: 1, failed: [] });

    await restart();
    await waitForStatus(client, (s) => s.state === 'live' && s.pending === 0, 'the client to reconnect and send the note');
    expect(client.status.getSnapshot()).toMatchObject({ failed: [], lastError: null });
    expect(states).not.toContain('backingOff');
    const titles = (await pullAll(gw, token)).changes.map((c) => c.record.title);
    expect(titles).toEqual(['before', 'while down']);
  });

  it('takes a push answered 503 SHUTTING_DOWN during the drain as offline: the change stays queued, not failed, and is sent after the restart', async () => {
    const { client, token, states } = await liveClient();
    const stalled = await stalledRequest();
    const closing = gw.gateway.close();
    expect(gw.gateway.isDraining).toBe(true);

    await client.create('Note', { title: 'during the drain', body: '', pinned: false });
    await waitForStatus(client, (s) => s.state === 'offline', 'the push to be refused and the client to go offline');
    expect(client.status.getSnapshot()).toMatchObject({ pending: 1, failed: [] });

    stalled.destroy();
    await closing;
    await restart();
    await waitForStatus(client, (s) => s.state === 'live' && s.pending === 0, 'the client to reconnect and send the note');
    expect(client.status.getSnapshot().failed).toEqual([]);
    expect(states).not.toContain('backingOff');
    expect((await pullAll(gw, token)).changes.map((c) => c.record.title)).toEqual(['during the drain']);
  });
});
