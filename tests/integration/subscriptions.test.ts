/**
 * The `changes` subscription end to end, over SSE (graphql-sse, distinct
 * connections) and over WebSocket (graphql-ws): catch-up in pages, then live;
 * exactly-once and in log order under concurrent writes; resuming from a token;
 * error codes; workspace isolation; and letting go of a disposed subscriber.
 *
 * The gateway's defaultPageSize (which is also the subscription's page size) is
 * 7 in this file, so a catch-up of a few dozen changes comes in several pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import {
  TRANSPORTS,
  subscribeChanges,
  waitFor,
  waitForChanges,
  waitForErrorCodes,
  waitForMutation,
  type ChangesSubscription,
  type Transport,
} from '../helpers/subscribe.ts';
import { newNote, pull, pullAll, push, type ChangeInput } from '../helpers/sync.ts';

const PAGE_SIZE = 7;
/** Larger than any log in this file: one pull returns everything after a token. */
const PULL_ALL = 1000;

let gw: TestGateway;
beforeAll(async () => (gw = await startTestGateway({ limits: { defaultPageSize: PAGE_SIZE } })));
afterAll(async () => gw?.close());

/** Pushes one change per push, in order, each acknowledged before the next is sent. */
async function pushEach(token: string, changes: ChangeInput[], clientId = 'client-a') {
  for (const change of changes) {
    const [result] = await push(gw, token, [change], clientId);
    expect(result.status).toBe('APPLIED');
  }
}

async function pushBatch(token: string, changes: ChangeInput[], clientId = 'client-a') {
  const results = await push(gw, token, changes, clientId);
  expect(results.map((r) => r.status)).toEqual(changes.map(() => 'APPLIED'));
}

function notes(count: number, prefix: string): ChangeInput[] {
  return Array.from({ length: count }, (_, i) => newNote({ title: `${prefix}-${i}` }));
}

const ids = (changes: { mutationId: string | null }[]) => changes.map((change) => change.mutationId);

/**
 * A barrier: pushes one more change and waits until the subscriber has it. The
 * stream is in log order, so everything committed before it has arrived too;
 * whatever the subscriber holds now is all it will ever get for that range.
 */
async function sentinel(sub: ChangesSubscription, token: string): Promise<ChangeInput> {
  const change = newNote({ title: 'sentinel' });
  await pushEach(token, [change], 'client-sentinel');
  await waitForMutation(sub, change.mutationId);
  return change;
}

function notifier() {
  return gw.gateway.notifier;
}

describe.each(TRANSPORTS)('changes subscription over %s', (transport: Transport) => {
  it('sends the catch-up in pages, then live batches, each change once and in push order', async () => {
    const token = await gw.token(newWorkspace());
    const before = notes(30, 'before');
    for (let i = 0; i < before.length; i += 5) await pushBatch(token, before.slice(i, i + 5));

    const sub = subscribeChanges(gw, transport, { token, since: null });
    try {
      await waitForChanges(sub, before.length);
      // 30 changes in pages of 7: 7, 7, 7, 7, 2; hasMore on all but the last.
      expect(sub.batches.map((b) => b.changes.length)).toEqual([7, 7, 7, 7, 2]);
      expect(sub.batches.map((b) => b.hasMore)).toEqual([true, true, true, true, false]);
      expect(ids(sub.changes())).toEqual(ids(before));

      // Live: single pushes, then (once those are in) one push larger than a
      // page, which comes as a full page with hasMore and then the rest.
      const live = notes(5, 'live');
      const bulk = notes(PAGE_SIZE + 2, 'bulk');
      await pushEach(token, live, 'client-b');
      await waitForChanges(sub, before.length + live.length);
      const batchesBeforeBulk = sub.batches.length;
      expect(sub.batches.slice(5).every((b) => !b.hasMore)).toBe(true);
      await pushBatch(token, bulk, 'client-b');
      const all = [...before, ...live, ...bulk];
      await waitForChanges(sub, all.length);
      expect(sub.batches.slice(batchesBeforeBulk).map((b) => [b.changes.length, b.hasMore])).toEqual([
        [PAGE_SIZE, true],
        [2, false],
      ]);
      const last = await sentinel(sub, token);
      all.push(last);

      const received = sub.changes();
      expect(ids(received)).toEqual(ids(all));
      expect(received.map((c) => c.entityId)).toEqual(all.map((c) => c.entityId));
      for (const change of received) {
        expect(change).toMatchObject({ entityType: 'Note', op: 'INSERT', record: { __typename: 'Note', version: 1 } });
      }
      expect(sub.batches.every((b) => b.changes.length <= PAGE_SIZE)).toBe(true);
      expect(sub.batches.every((b) => b.changes.length > 0)).toBe(true);

      // Every event's token stands right after that event: pulling from it
      // returns exactly the changes of the later events.
      let seen = 0;
      for (const batch of sub.batches) {
        seen += batch.changes.length;
        const rest = await pull(gw, token, batch.syncToken, PULL_ALL);
        expect(rest.hasMore).toBe(false);
        expect(ids(rest.changes)).toEqual(ids(all.slice(seen)));
      }
      expect(seen).toBe(all.length);
      expect(sub.errors).toEqual([]);
      expect(sub.failures).toEqual([]);
      expect(sub.completed).toBe(false);
    } finally {
      await sub.dispose();
    }
  });

  it('delivers every change exactly once, in log order, when writes commit during the catch-up', async () => {
    const token = await gw.token(newWorkspace());
    const PUSHERS = 4;
    const PUSHES = 25;
    let acknowledged = 0;
    const perPusher = Array.from({ length: PUSHERS }, (_, p) => notes(PUSHES, `pusher-${p}`));
    const pushers = perPusher.map(async (changes, p) => {
      for (const change of changes) {
        await pushEach(token, [change], `client-${p}`);
        acknowledged += 1;
      }
    });
    const all = Promise.all(pushers);
    // Let the failure of a pusher surface through `await all`, not as an unhandled rejection.
    all.catch(() => {});

    await waitFor(() => acknowledged >= 8, 'the first pushes');
    const sub = subscribeChanges(gw, transport, { token, since: null });
    try {
      await all;
      const log = await pullAll(gw, token, null, PULL_ALL);
      expect(log.changes).toHaveLength(PUSHERS * PUSHES);
      await waitForChanges(sub, log.changes.length);
      const last = await sentinel(sub, token);

      const received = ids(sub.changes());
      expect(new Set(received).size).toBe(received.length);
      expect(received).toEqual([...ids(log.changes), last.mutationId]);
      // Each pusher's changes keep that pusher's order.
      perPusher.forEach((changes, p) => {
        expect(ids(sub.changes().filter((c) => c.clientId === `client-${p}`))).toEqual(ids(changes));
      });
      // The last token is the head of the log: nothing after it.
      const rest = await pull(gw, token, sub.lastToken()!, PULL_ALL);
      expect(rest.changes).toEqual([]);
      expect(sub.batches.every((b) => b.changes.length <= PAGE_SIZE)).toBe(true);
      expect(sub.errors).toEqual([]);
      expect(sub.failures).toEqual([]);
    } finally {
      await all.catch(() => {});
      await sub.dispose();
    }
  });

  it('resumes from the last received token with exactly the changes made meanwhile', async () => {
    const token = await gw.token(newWorkspace());
    const first = notes(10, 'first');
    await pushBatch(token, first);

    let resumeFrom: string;
    const sub1 = subscribeChanges(gw, transport, { token, since: null });
    try {
      await waitForChanges(sub1, first.length);
      const live = notes(3, 'live');
      await pushEach(token, live);
      await waitForChanges(sub1, first.length + live.length);
      expect(ids(sub1.changes())).toEqual(ids([...first, ...live]));
      resumeFrom = sub1.lastToken()!;
    } finally {
      await sub1.dispose();
    }

    const meanwhile = notes(PAGE_SIZE + 4, 'meanwhile');
    await pushEach(token, meanwhile.slice(0, 4));
    await pushBatch(token, meanwhile.slice(4));

    const sub2 = subscribeChanges(gw, transport, { token, since: resumeFrom });
    try {
      await waitForChanges(sub2, meanwhile.length);
      // Catch-up of 11 changes in pages of 7.
      expect(sub2.batches.map((b) => [b.changes.length, b.hasMore])).toEqual([
        [7, true],
        [4, false],
      ]);
      const last = await sentinel(sub2, token);
      expect(ids(sub2.changes())).toEqual(ids([...meanwhile, last]));
    } finally {
      await sub2.dispose();
    }

    // Resuming at the head: the first event is sent anyway, empty, with a token.
    const sub3 = subscribeChanges(gw, transport, { token, since: (await pull(gw, token, resumeFrom, PULL_ALL)).syncToken });
    try {
      await waitFor(() => sub3.batches.length > 0 || sub3.completed, 'the first event');
      expect(sub3.batches[0]).toMatchObject({ changes: [], hasMore: false, syncToken: expect.any(String) });
      const last = await sentinel(sub3, token);
      expect(ids(sub3.changes())).toEqual([last.mutationId]);
    } finally {
      await sub3.dispose();
    }
  });

  describe('errors', () => {
    async function codesOf(options: Parameters<typeof subscribeChanges>[2]) {
      const sub = subscribeChanges(gw, transport, options);
      try {
        const codes = await waitForErrorCodes(sub);
        expect(sub.batches).toEqual([]);
        // The server ends the subscription after the error.
        expect(sub.completed).toBe(true);
        return codes;
      } finally {
        await sub.dispose();
      }
    }

    it('refuses a subscriber without a token: UNAUTHENTICATED', async () => {
      expect(await codesOf({ token: null, since: null })).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses an invalid JWT: UNAUTHENTICATED', async () => {
      expect(await codesOf({ token: 'not-a-jwt', since: null })).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses a garbage since: BAD_SYNC_TOKEN', async () => {
      const token = await gw.token(newWorkspace());
      expect(await codesOf({ token, since: 'garbage' })).toEqual(['BAD_SYNC_TOKEN']);
    });

    it("refuses another workspace's token: BAD_SYNC_TOKEN", async () => {
      const tokenA = await gw.token(newWorkspace());
      const tokenB = await gw.token(newWorkspace());
      await pushBatch(tokenA, notes(1, 'a'));
      await pushBatch(tokenB, notes(1, 'b'));
      const fromB = (await pull(gw, tokenB)).syncToken;
      expect(await codesOf({ token: tokenA, since: fromB })).toEqual(['BAD_SYNC_TOKEN']);
    });
  });

  it("never sends a subscriber another workspace's changes", async () => {
    const tokenA = await gw.token(newWorkspace());
    const tokenB = await gw.token(newWorkspace());
    const subA = subscribeChanges(gw, transport, { token: tokenA, since: null });
    const subB = subscribeChanges(gw, transport, { token: tokenB, since: null });
    try {
      // Both live: the first event (an empty catch-up) has arrived.
      await waitFor(() => subA.batches.length > 0 && subB.batches.length > 0, 'the first events');
      expect(subA.batches[0]).toMatchObject({ changes: [], hasMore: false });

      const inB = newNote({ title: 'in B' });
      const inA = newNote({ title: 'in A' });
      await pushEach(tokenB, [inB]);
      await pushEach(tokenA, [inA]);
      await waitForMutation(subB, inB.mutationId);
      await waitForMutation(subA, inA.mutationId);
      const lastA = await sentinel(subA, tokenA);
      const lastB = await sentinel(subB, tokenB);

      expect(ids(subA.changes())).toEqual([inA.mutationId, lastA.mutationId]);
      expect(ids(subB.changes())).toEqual([inB.mutationId, lastB.mutationId]);
    } finally {
      await subA.dispose();
      await subB.dispose();
    }
  });

  it('lets go of a disposed subscriber: nothing more arrives, nothing fails, the server drops its listener', async () => {
    const workspace = newWorkspace();
    const token = await gw.token(workspace);
    const sub = subscribeChanges(gw, transport, { token, since: null });
    let disposed = false;
    try {
      await waitFor(() => sub.batches.length > 0, 'the first event');
      expect(notifier().listenerCount(workspace)).toBe(1);
      await sub.dispose();
      disposed = true;
      // The server notices the closed connection and stops the stream.
      await waitFor(() => notifier().listenerCount(workspace) === 0, 'the server to drop the listener', 10_000);

      const after = notes(3, 'after');
      await pushEach(token, after);
      // A fresh subscriber sees the writes (so they were published), the disposed one does not.
      const check = subscribeChanges(gw, transport, { token, since: sub.lastToken()! });
      try {
        await waitForChanges(check, after.length);
        expect(ids(check.changes())).toEqual(ids(after));
      } finally {
        await check.dispose();
      }
      expect(sub.batches).toHaveLength(1);
      expect(sub.afterDispose).toEqual([]);
      expect(sub.errors).toEqual([]);
      expect(sub.failures).toEqual([]);
      await waitFor(() => notifier().listenerCount(workspace) === 0, 'the server to drop the second listener', 10_000);
    } finally {
      if (!disposed) await sub.dispose();
    }
  });
});

it('over WebSocket, also takes the token from the upgrade request', async () => {
  const token = await gw.token(newWorkspace());
  const note = newNote();
  await pushEach(token, [note]);
  const sub = subscribeChanges(gw, 'ws', { token, since: null, wsAuth: 'upgradeHeader' });
  try {
    await waitForMutation(sub, note.mutationId);
    expect(ids(sub.changes())).toEqual([note.mutationId]);
  } finally {
    await sub.dispose();
  }
});
