/**
 * The shared live tail (server/sync/live-tail.ts) with the real stream
 * (server/sync/live.ts) over an in-memory log whose reads, like PostgreSQL's,
 * see the log as it was when they started and answer later.
 */
import { describe, expect, it } from 'vitest';
import { LiveTail } from '../../server/sync/live-tail.ts';
import { streamChanges } from '../../server/sync/live.ts';
import { LocalChangeNotifier } from '../../server/sync/notifier.ts';
import type { ChangePage, ChangeView } from '../../server/sync/pull.ts';

const WS = 'ws-1';
const PAGE_SIZE = 5;

/** A workspace log: append commits, read pages after a position (a snapshot taken when the read starts). */
class MemoryLog {
  readonly seqs: number[] = [];
  loads = 0;

  constructor(private readonly delay: () => number = () => 0) {}

  commit(notifier: LocalChangeNotifier, count = 1) {
    for (let i = 0; i < count; i++) this.seqs.push(this.seqs.length + 1);
    notifier.publish(WS, this.seqs.length);
  }

  async read(afterSeq: number): Promise<ChangePage> {
    this.loads += 1;
    const visible = this.seqs.filter((seq) => seq > afterSeq);
    await new Promise((resolve) => setTimeout(resolve, this.delay()));
    const page = visible.slice(0, PAGE_SIZE);
    return {
      changes: page.map((seq) => ({ entityId: String(seq) }) as unknown as ChangeView),
      lastSeq: page.length ? page[page.length - 1]! : afterSeq,
      hasMore: visible.length > PAGE_SIZE,
      floor: 0,
    };
  }
}

/** A stream as the service builds it, collecting the positions it delivers. */
function follow(tail: LiveTail, log: MemoryLog, afterSeq: number) {
  const received: number[] = [];
  const stream = streamChanges({
    notifier: tail,
    workspaceId: WS,
    afterSeq,
    readPage: (after) => tail.read(WS, String(after), () => log.read(after)),
    toBatch: (page) => page,
  });
  const done = (async () => {
    for await (const page of stream) received.push(...page.changes.map((c) => Number(c.entityId)));
  })();
  return {
    afterSeq,
    received,
    async stop() {
      await stream.return();
      await done;
    },
  };
}

async function until(predicate: () => boolean, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

describe('the shared live tail', () => {
  it('reads the log once per wake-up for any number of streams at the head', async () => {
    const notifier = new LocalChangeNotifier();
    const tail = new LiveTail(notifier);
    const log = new MemoryLog();
    log.commit(notifier, 3);
    const streams = Array.from({ length: 200 }, () => follow(tail, log, 3));
    try {
      // The catch-up of 200 streams at one position is one read too.
      await until(() => tail.listenerCount(WS) === 200 && log.loads > 0, 'the streams to attach');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(log.loads).toBe(1);
      expect(notifier.listenerCount(WS)).toBe(1);

      for (let commit = 1; commit <= 5; commit++) {
        log.commit(notifier);
        await until(() => streams.every((s) => s.received.length === commit), `every stream to get commit ${commit}`);
        expect(log.loads).toBe(1 + commit);
      }
      for (const stream of streams) expect(stream.received).toEqual([4, 5, 6, 7, 8]);
    } finally {
      await Promise.all(streams.map((s) => s.stop()));
    }
    expect(tail.listenerCount(WS)).toBe(0);
    expect(notifier.listenerCount(WS)).toBe(0);
    expect(tail.heldReads(WS)).toBe(0);
  });

  it('never hands a stream a read that started before the wake-up it answers', async () => {
    const notifier = new LocalChangeNotifier();
    const tail = new LiveTail(notifier);
    const log = new MemoryLog();
    const stop = tail.subscribe(WS, () => {});
    try {
      let release!: () => void;
      const inFlight = tail.read(WS, '0', async () => {
        const page = await log.read(0);
        await new Promise<void>((resolve) => (release = resolve));
        return page;
      });
      // Before a wake-up, a read of the same position is shared.
      let loadedAgain = false;
      expect(tail.read(WS, '0', async () => ((loadedAgain = true), log.read(0)))).toBe(inFlight);
      expect(loadedAgain).toBe(false);

      log.commit(notifier);
      const fresh = tail.read(WS, '0', () => log.read(0));
      expect(fresh).not.toBe(inFlight);
      expect((await fresh).changes).toHaveLength(1);
      release();
      expect((await inFlight).changes).toHaveLength(0);
    } finally {
      stop();
    }
  });

  it('keeps no catch-up pages and no failed reads', async () => {
    const notifier = new LocalChangeNotifier();
    const tail = new LiveTail(notifier);
    const log = new MemoryLog();
    log.commit(notifier, PAGE_SIZE * 2);
    const stop = tail.subscribe(WS, () => {});
    try {
      expect((await tail.read(WS, '0', () => log.read(0))).hasMore).toBe(true);
      expect(tail.heldReads(WS)).toBe(0);
      await expect(tail.read(WS, '3', () => Promise.reject(new Error('connection lost')))).rejects.toThrow('connection lost');
      expect(tail.heldReads(WS)).toBe(0);
      expect((await tail.read(WS, String(PAGE_SIZE * 2), () => log.read(PAGE_SIZE * 2))).hasMore).toBe(false);
      expect(tail.heldReads(WS)).toBe(1);
    } finally {
      stop();
    }
  });

  it('gives every stream, wherever it starts, each change after its position once and in order, under concurrent commits', async () => {
    for (let round = 0; round < 5; round++) {
      const notifier = new LocalChangeNotifier();
      const tail = new LiveTail(notifier);
      // Reads answer after a random delay, so commits land while reads are in flight.
      const log = new MemoryLog(() => Math.floor(Math.random() * 4));
      log.commit(notifier, 12);
      const streams: ReturnType<typeof follow>[] = [];
      try {
        // Streams join at different positions (behind, at the head, in the middle of catch-up pages) while writers commit.
        const writers = Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 15; i++) {
            log.commit(notifier, 1 + Math.floor(Math.random() * 3));
            await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 3)));
          }
        });
        const joiners = (async () => {
          for (let i = 0; i < 60; i++) {
            streams.push(follow(tail, log, Math.floor(Math.random() * (log.seqs.length + 1))));
            if (i % 6 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
          }
        })();
        await Promise.all([...writers, joiners]);
        const head = log.seqs.length;
        await until(() => streams.every((s) => s.received.at(-1) === head || (s.afterSeq === head && s.received.length === 0)), 'every stream to reach the head');
        // Nothing more arrives late.
        await new Promise((resolve) => setTimeout(resolve, 20));
        for (const stream of streams) expect(stream.received).toEqual(range(stream.afterSeq + 1, head));
      } finally {
        await Promise.all(streams.map((s) => s.stop()));
      }
      expect(notifier.listenerCount(WS)).toBe(0);
    }
  });
});
