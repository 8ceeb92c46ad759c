/**
 * Many subscriptions of one workspace share the log's reads (server/sync/live-tail.ts)
 * and still each get exactly what follows their own position, once and in order,
 * while several writers commit concurrently on real PostgreSQL. Subscriptions
 * start at different positions, over SSE and WebSocket, some before and some
 * during the writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { subscribeChanges, waitFor, waitForMutation, type ChangesSubscription, type Transport } from '../helpers/subscribe.ts';
import { newNote, pull, pullAll, push } from '../helpers/sync.ts';

const PAGE_SIZE = 4;

let gw: TestGateway;
// A small page, so catch-ups run over several pages while the live streams share reads of the head.
beforeAll(async () => (gw = await startTestGateway({ poolSize: 16, limits: { defaultPageSize: PAGE_SIZE } })));
afterAll(async () => gw?.close());

describe('subscriptions sharing the live tail', () => {
  it('give each subscriber every change after its position once, in order, under concurrent writers', async () => {
    const workspace = newWorkspace();
    const token = await gw.token(workspace);
    const subs: { sub: ChangesSubscription; since: string | null }[] = [];
    const subscribeAt = (since: string | null, transport: Transport) => subs.push({ sub: subscribeChanges(gw, transport, { token, since }), since });
    // Tokens at many positions of an existing log.
    const tokens: (string | null)[] = [null];
    for (let i = 0; i < 12; i++) {
      await push(gw, token, [newNote({ title: `before-${i}` })]);
      tokens.push((await pull(gw, token, null, 1000)).syncToken);
    }
    try {
      for (let i = 0; i < 24; i++) subscribeAt(tokens[i % tokens.length]!, i % 3 === 0 ? 'ws' : 'sse');
      await waitFor(() => subs.every(({ sub }) => sub.batches.length > 0), 'every subscription to start');

      const writers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 12; i++) {
          const batch = Array.from({ length: 1 + ((w + i) % 3) }, (_, k) => newNote({ title: `w${w}-${i}-${k}` }));
          const results = await push(gw, token, batch, `writer-${w}`);
          expect(results.map((r) => r.status)).toEqual(batch.map(() => 'APPLIED'));
        }
      });
      // More subscriptions join while the writers commit, from the tokens of the moment.
      const joiners = (async () => {
        for (let i = 0; i < 8; i++) {
          subscribeAt((await pull(gw, token, null, 1000)).syncToken, i % 2 ? 'ws' : 'sse');
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
      })();
      await Promise.all([...writers, joiners]);

      const last = newNote({ title: 'last' });
      await push(gw, token, [last], 'writer-last');
      for (const { sub } of subs) await waitForMutation(sub, last.mutationId);
      // One wake-up listener for the whole workspace, however many subscriptions.
      expect(gw.gateway.notifier.listenerCount(workspace)).toBe(1);

      for (const { sub, since } of subs) {
        const expected = (await pullAll(gw, token, since)).changes.map((c) => c.mutationId);
        expect(sub.changes().map((c) => c.mutationId)).toEqual(expected);
        expect(sub.errors).toEqual([]);
      }
    } finally {
      await Promise.all(subs.map(({ sub }) => sub.dispose()));
    }
    await waitFor(() => gw.gateway.notifier.listenerCount(workspace) === 0, 'the server to drop the listener', 10_000);
  });
});
