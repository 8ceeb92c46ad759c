/**
 * The PostgreSQL notifier's local side, with a fake LISTEN connection: which
 * signals wake whom, and that a (re)connect wakes every stream. The real
 * round trip through PostgreSQL is tested in tests/postgres/many-instances.test.ts.
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import type { NotificationHandler } from '../../db/client.ts';
import { CHANGES_CHANNEL, decodeSignal, encodeSignal, PostgresChangeNotifier } from '../../server/sync/pg-notifier.ts';

function fakeConnection() {
  let notify: NotificationHandler = () => {};
  let listened: () => void = () => {};
  const channels: string[] = [];
  let unlistened = 0;
  return {
    channels,
    unlistened: () => unlistened,
    /** A notification arriving on the LISTEN connection. */
    deliver: (payload: string) => notify(payload),
    /** The driver re-established LISTEN after the connection dropped. */
    reconnect: () => listened(),
    async listen(channel: string, onNotify: NotificationHandler, onListen: () => void) {
      channels.push(channel);
      notify = onNotify;
      listened = onListen;
      onListen();
      return { unlisten: async () => void (unlistened += 1) };
    },
  };
}

async function setUp() {
  const connection = fakeConnection();
  const notifier = await PostgresChangeNotifier.start(connection);
  const woken: string[] = [];
  const listen = (workspace: string, name = workspace) => notifier.subscribe(workspace, () => woken.push(name));
  return { connection, notifier, woken, listen };
}

describe('PostgresChangeNotifier', () => {
  it('listens on the changes channel once, and stops on close', async () => {
    const { connection, notifier } = await setUp();
    expect(connection.channels).toEqual([CHANGES_CHANNEL]);
    await notifier.close();
    await notifier.close();
    expect(connection.unlistened()).toBe(1);
  });

  it("wakes the signalled workspace's listeners only", async () => {
    const { connection, woken, listen } = await setUp();
    listen('a', 'a1');
    listen('a', 'a2');
    listen('b');
    connection.deliver(encodeSignal({ workspaceId: 'a', seq: 3 }));
    expect(woken).toEqual(['a1', 'a2']);
  });

  it('wakes local listeners on publish at once, and skips the same push when its NOTIFY comes back', async () => {
    const { connection, notifier, woken, listen } = await setUp();
    listen('a');
    notifier.publish('a', 5);
    expect(woken).toEqual(['a']);
    connection.deliver(encodeSignal({ workspaceId: 'a', seq: 5 }));
    connection.deliver(encodeSignal({ workspaceId: 'a', seq: 4 }));
    expect(woken).toEqual(['a']);
    connection.deliver(encodeSignal({ workspaceId: 'a', seq: 6 }));
    expect(woken).toEqual(['a', 'a']);
  });

  it('forgets positions with the last listener, so a new stream is woken by any signal', async () => {
    const { connection, notifier, woken, listen } = await setUp();
    const stop = listen('a', 'first');
    notifier.publish('a', 9);
    stop();
    expect(notifier.listenerCount('a')).toBe(0);
    listen('a', 'second');
    connection.deliver(encodeSignal({ workspaceId: 'a', seq: 2 }));
    expect(woken).toEqual(['first', 'second']);
  });

  it('wakes every listener of every workspace on a reconnect, and on a payload it cannot read', async () => {
    const { connection, notifier, woken, listen } = await setUp();
    listen('a');
    listen('b');
    notifier.publish('a', 100);
    woken.length = 0;
    connection.reconnect();
    expect(woken.sort()).toEqual(['a', 'b']);
    woken.length = 0;
    connection.deliver('not a signal');
    expect(woken.sort()).toEqual(['a', 'b']);
  });

  it('announces with one tiny pg_notify on the changes channel', async () => {
    const { notifier } = await setUp();
    const query = new PgDialect().sqlToQuery(notifier.announcement('ws-1', 42));
    expect(query.sql).toBe('pg_notify($1, $2)');
    expect(query.params).toEqual([CHANGES_CHANNEL, encodeSignal({ workspaceId: 'ws-1', seq: 42 })]);
  });
});

describe('signal payloads', () => {
  it('round-trip, and stay tiny for the longest workspace id a token may carry', () => {
    const signal = { workspaceId: 'w'.repeat(200), seq: 2 ** 52 };
    expect(decodeSignal(encodeSignal(signal))).toEqual(signal);
    expect(Buffer.byteLength(encodeSignal(signal))).toBeLessThan(300);
  });

  it('are refused when malformed', () => {
    for (const payload of ['', 'x', '[]', '["a"]', '["a", "1"]', '["a", 1.5]', '{"w":"a","s":1}', '[1, 1]']) {
      expect(decodeSignal(payload), payload).toBeNull();
    }
  });
});
