/**
 * A push the gateway rate limits (RATE_LIMITED) is not a refused change: the
 * client keeps it in the outbox, backs off for at least the server's
 * retryAfterMs, and sends it again; nothing lands in status.failed.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { MemoryStorage } from '../../client/lib/index.ts';
import { Cleanup, recordingFetch, serverNotes, startClient, waitForStatus } from '../helpers/client.ts';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway;
const cleanup = new Cleanup();
// One push per second, no burst: the second push within a second is refused.
beforeAll(async () => (gw = await startTestGateway({ env: { PUSH_RATE_LIMIT: '1', PUSH_RATE_BURST: '1' } })));
afterEach(() => cleanup.run());
afterAll(async () => gw?.close());

it('retries a rate-limited push later and loses nothing', async () => {
  const token = await gw.token(newWorkspace());
  const { fetch, requests } = recordingFetch();
  const client = cleanup.client(await startClient({ url: gw.url, token, storage: new MemoryStorage(), fetch }));
  await waitForStatus(client, (s) => s.state === 'live', 'live');

  const ids: string[] = [];
  for (const title of ['one', 'two', 'three']) {
    ids.push(await client.create('Note', { title, body: '', pinned: false }));
    await waitForStatus(client, (s) => s.pending === 0, `"${title}" to be acknowledged`, 30_000);
  }

  const limited = requests.filter((r) => r.body?.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
  expect(limited.length).toBeGreaterThan(0);
  expect(limited[0]!.body.errors[0].extensions.retryAfterMs).toBeGreaterThan(0);
  expect(client.status.getSnapshot().failed).toEqual([]);
  const notes = await serverNotes(gw, token);
  expect(notes.map((n) => n.title).sort()).toEqual(['one', 'three', 'two']);
  expect(notes.every((n) => n.version === 1 && ids.includes(n.id))).toBe(true);
});
