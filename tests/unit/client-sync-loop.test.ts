/** The sync loop's state machine, driven with fake operations and fake timers. */
import { describe, expect, it } from 'vitest';
import type { FlushOutcome } from '../../client/lib/outbox-exchange.ts';
import { SyncLoop, transitions, type LoopState, type PullOutcome, type StreamEnd, type SyncOperations } from '../../client/lib/sync-loop.ts';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Stream {
  since: string | null;
  batch(token: string): void;
  end(reason: StreamEnd): void;
  closed: boolean;
}

interface Timer {
  fn: () => void;
  ms: number;
  cleared: boolean;
}

type Scripted<T> = T | Promise<T> | Error;

/** Fake operations: pulls and flushes answer from a script (then a default), everything is logged in order. */
function harness(options: { token?: string | null; pulls?: Scripted<PullOutcome>[]; flushes?: Scripted<FlushOutcome>[]; random?: number } = {}) {
  let token = options.token ?? null;
  let page = 0;
  const pulls = [...(options.pulls ?? [])];
  const flushes = [...(options.flushes ?? [])];
  const log: string[] = [];
  const states: LoopState[] = [];
  /** lastError as the onState listener (the status snapshot) sees it. */
  const reported: [LoopState, string | null][] = [];
  const streams: Stream[] = [];
  const timers: Timer[] = [];
  const answer = <T>(scripted: Scripted<T> | undefined, fallback: () => T): Promise<T> =>
    scripted instanceof Error ? Promise.reject(scripted) : Promise.resolve(scripted ?? fallback());

  const ops: SyncOperations = {
    syncToken: () => token,
    async saveSyncToken(next) {
      log.push(`save ${next}`);
      token = next;
    },
    pullPage(since) {
      log.push(`pull ${since}`);
      return answer(pulls.shift(), () => ({ kind: 'page', syncToken: `t${++page}`, hasMore: false }));
    },
    flush() {
      log.push('flush');
      return answer(flushes.shift(), () => 'drained' as const);
    },
    subscribe(since, handlers) {
      log.push(`subscribe ${since}`);
      const stream: Stream = { since, ...handlers, closed: false };
      streams.push(stream);
      return () => {
        stream.closed = true;
        log.push(`close ${since}`);
      };
    },
  };
  const loop = new SyncLoop(ops, {
    backoff: { baseMs: 100, capMs: 1_000, random: () => options.random ?? 1 - Number.EPSILON },
    onState: (state) => {
      states.push(state);
      reported.push([state, loop.lastError]);
    },
    setTimer: (fn, ms) => {
      const timer = { fn, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => void ((handle as Timer).cleared = true),
  });
  /** Fires the one pending timer. */
  const fire = async () => {
    const pending = timers.filter((t) => !t.cleared);
    expect(pending).toHaveLength(1);
    pending[0]!.cleared = true;
    pending[0]!.fn();
    await settle();
  };
  return { loop, log, states, reported, streams, timers, fire, token: () => token, pulls, flushes };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SyncLoop', () => {
  it('goes initial → syncing → live: pulls every page from the saved token, flushes, then streams from the last token', async () => {
    const h = harness({ token: 't0', pulls: [{ kind: 'page', syncToken: 't1', hasMore: true }, { kind: 'page', syncToken: 't2', hasMore: false }] });
    expect(h.loop.state).toBe('initial');
    h.loop.start();
    expect(h.loop.state).toBe('syncing');
    await settle();
    expect(h.states).toEqual(['syncing', 'live']);
    expect(h.loop.state).toBe('live');
    // Entering live flushes once more: changes made while the pull ran were not in the first flush.
    expect(h.log).toEqual(['pull t0', 'save t1', 'pull t1', 'save t2', 'flush', 'subscribe t2', 'flush']);
    expect(h.loop.lastError).toBeNull();
  });

  it('starts from null with no saved token', async () => {
    const h = harness();
    h.loop.start();
    await settle();
    expect(h.log.slice(0, 2)).toEqual(['pull null', 'save t1']);
    expect(h.loop.state).toBe('live');
  });

  it('saves a full sync only once its last page is in, so one cut short starts over from null', async () => {
    const h = harness({
      pulls: [{ kind: 'page', syncToken: 'f1', hasMore: true }, { kind: 'offline' }, { kind: 'page', syncToken: 'f2', hasMore: true }, { kind: 'page', syncToken: 'f3', hasMore: false }],
    });
    h.loop.start();
    await settle();
    expect(h.loop.state).toBe('offline');
    expect(h.token()).toBeNull();
    await h.fire();
    expect(h.log).toEqual(['pull null', 'pull f1', 'pull null', 'pull f2', 'save f3', 'flush', 'subscribe f3', 'flush']);
  });

  it('goes offline when the pull finds no network, and retries after the backoff timer', async () => {
    const h = harness({ pulls: [{ kind: 'offline' }] });
    h.loop.start();
    await settle();
    expect(h.states).toEqual(['syncing', 'offline']);
    expect(h.timers.map((t) => t.ms)).toEqual([99]);
    expect(h.log).toEqual(['pull null']);
    expect(h.loop.lastError).toBeNull();

    await h.fire();
    expect(h.states).toEqual(['syncing', 'offline', 'syncing', 'live']);
    expect(h.log).toEqual(['pull null', 'pull null', 'save t1', 'flush', 'subscribe t1', 'flush']);
  });

  it('grows the wait with each failure and resets it once live', async () => {
    const h = harness({ pulls: [{ kind: 'offline' }, { kind: 'offline' }, { kind: 'offline' }] });
    h.loop.start();
    await settle();
    await h.fire();
    await h.fire();
    await h.fire();
    expect(h.loop.state).toBe('live');
    expect(h.timers.map((t) => t.ms)).toEqual([99, 199, 399]);

    h.streams.at(-1)!.end('offline');
    expect(h.loop.state).toBe('offline');
    expect(h.timers.at(-1)!.ms).toBe(99);
  });

  it('on BAD_SYNC_TOKEN forgets the token and pulls again from null, without failing', async () => {
    const h = harness({ token: 'forged', pulls: [{ kind: 'badToken' }] });
    h.loop.start();
    await settle();
    expect(h.log).toEqual(['pull forged', 'save null', 'pull null', 'save t1', 'flush', 'subscribe t1', 'flush']);
    expect(h.states).toEqual(['syncing', 'live']);
    expect(h.token()).toBe('t1');
    expect(h.loop.lastError).toBeNull();
  });

  it('when the live stream ends offline: offline, then a retry pulls from the last token the stream delivered', async () => {
    const h = harness({ token: 't0' });
    h.loop.start();
    await settle();
    const stream = h.streams[0]!;
    expect(stream.since).toBe('t1');
    stream.batch('t7');
    await settle();
    expect(h.token()).toBe('t7');

    stream.end('offline');
    expect(h.loop.state).toBe('offline');
    expect(stream.closed).toBe(true);
    await h.fire();
    expect(h.log.slice(-5)).toEqual(['pull t7', 'save t2', 'flush', 'subscribe t2', 'flush']);
    expect(h.loop.state).toBe('live');
  });

  it('when the live stream ends with BAD_SYNC_TOKEN: forgets the token, backs off, then pulls from null', async () => {
    const h = harness({ token: 't0' });
    h.loop.start();
    await settle();
    h.streams[0]!.end('badToken');
    expect(h.loop.state).toBe('backingOff');
    expect(h.loop.lastError).toMatch(/badToken/);
    await settle();
    expect(h.token()).toBeNull();
    await h.fire();
    expect(h.log).toContain('pull null');
    expect(h.loop.state).toBe('live');
    expect(h.loop.lastError).toBeNull();
  });

  it('when the live stream fails otherwise: backs off with the reason', async () => {
    const h = harness();
    h.loop.start();
    await settle();
    h.streams[0]!.end('failed');
    expect(h.loop.state).toBe('backingOff');
    expect(h.loop.lastError).toBe('live stream ended: failed');
  });

  it('backs off with the reason when a pull fails, and clears it once live', async () => {
    const h = harness({ pulls: [{ kind: 'failed', reason: 'boom' }] });
    h.loop.start();
    await settle();
    expect(h.states).toEqual(['syncing', 'backingOff']);
    expect(h.loop.lastError).toBe('boom');
    await h.fire();
    expect(h.loop.state).toBe('live');
    expect(h.loop.lastError).toBeNull();
  });

  it('has cleared lastError by the time it reports live (the status snapshot is taken in onState)', async () => {
    const h = harness({ pulls: [{ kind: 'failed', reason: 'boom' }] });
    h.loop.start();
    await settle();
    await h.fire();
    expect(h.reported).toEqual([
      ['syncing', null],
      ['backingOff', 'boom'],
      ['syncing', 'boom'],
      ['live', null],
    ]);
  });

  it('treats a flush outcome of offline / unauthenticated / a thrown error as offline / failed / failed', async () => {
    const offline = harness({ flushes: ['offline'] });
    offline.loop.start();
    await settle();
    expect(offline.states).toEqual(['syncing', 'offline']);
    expect(offline.streams).toEqual([]);

    const unauthenticated = harness({ flushes: ['unauthenticated'] });
    unauthenticated.loop.start();
    await settle();
    expect(unauthenticated.states).toEqual(['syncing', 'backingOff']);
    expect(unauthenticated.loop.lastError).toBe('not authenticated');

    const thrown = harness({ flushes: [new Error('disk full')] });
    thrown.loop.start();
    await settle();
    expect(thrown.states).toEqual(['syncing', 'backingOff']);
    expect(thrown.loop.lastError).toMatch(/disk full/);
  });

  it('backs off, keeping the outbox, when the server rate limits a push, and waits at least its retry-after', async () => {
    const h = harness({ flushes: [{ kind: 'retryLater', retryAfterMs: 5_000 }], random: 0 });
    h.loop.start();
    await settle();
    expect(h.states).toEqual(['syncing', 'backingOff']);
    expect(h.loop.lastError).toBe('rate limited by the server');
    expect(h.timers.map((t) => t.ms)).toEqual([5_000]);
    await h.fire();
    // The retry syncs and flushes again; the next backoff is the plain one.
    expect(h.log.filter((entry) => entry === 'flush')).toHaveLength(3);
    expect(h.loop.state).toBe('live');

    const live = harness({ flushes: ['drained', 'drained', { kind: 'retryLater', retryAfterMs: null }], random: 0 });
    live.loop.start();
    await settle();
    live.loop.kick();
    await settle();
    expect(live.states).toEqual(['syncing', 'live', 'backingOff']);
    expect(live.streams[0]!.closed).toBe(true);
    expect(live.timers.map((t) => t.ms)).toEqual([0]);
  });

  it('backs off when a pull throws', async () => {
    const h = harness({ pulls: [new Error('unexpected')] });
    h.loop.start();
    await settle();
    expect(h.loop.state).toBe('backingOff');
    expect(h.loop.lastError).toMatch(/unexpected/);
  });

  it('nudge() retries at once from offline or backingOff (cancelling the timer), and does nothing otherwise', async () => {
    const h = harness({ pulls: [{ kind: 'offline' }, { kind: 'failed', reason: 'x' }] });
    h.loop.nudge();
    expect(h.loop.state).toBe('initial');
    h.loop.start();
    await settle();
    expect(h.loop.state).toBe('offline');
    h.loop.nudge();
    expect(h.timers[0]!.cleared).toBe(true);
    await settle();
    expect(h.loop.state).toBe('backingOff');
    h.loop.nudge();
    expect(h.timers[1]!.cleared).toBe(true);
    await settle();
    expect(h.loop.state).toBe('live');
    const pulls = h.log.filter((l) => l.startsWith('pull')).length;
    h.loop.nudge();
    await settle();
    expect(h.log.filter((l) => l.startsWith('pull')).length).toBe(pulls);
    expect(h.loop.state).toBe('live');
  });

  it('kick() flushes only when live, and goes offline if that flush finds no network', async () => {
    const h = harness({ pulls: [{ kind: 'offline' }] });
    h.loop.kick();
    h.loop.start();
    await settle();
    h.loop.kick();
    await settle();
    expect(h.log.filter((l) => l === 'flush')).toEqual([]);
    await h.fire();
    const flushes = h.log.filter((l) => l === 'flush').length;
    h.flushes.push('offline');
    h.loop.kick();
    await settle();
    expect(h.log.filter((l) => l === 'flush').length).toBe(flushes + 1);
    expect(h.loop.state).toBe('offline');
    expect(h.streams[0]!.closed).toBe(true);
  });

  it('stop() closes the stream, cancels the timer and ignores work still in flight', async () => {
    const live = harness();
    live.loop.start();
    await settle();
    live.loop.stop();
    expect(live.loop.state).toBe('stopped');
    expect(live.streams[0]!.closed).toBe(true);

    const waiting = harness({ pulls: [{ kind: 'offline' }] });
    waiting.loop.start();
    await settle();
    waiting.loop.stop();
    expect(waiting.timers[0]!.cleared).toBe(true);

    const pull = deferred<PullOutcome>();
    const inFlight = harness({ pulls: [pull.promise] });
    inFlight.loop.start();
    inFlight.loop.stop();
    pull.resolve({ kind: 'page', syncToken: 'late', hasMore: false });
    await settle();
    expect(inFlight.states).toEqual(['syncing', 'stopped']);
    expect(inFlight.log).toEqual(['pull null']);

    // Nothing starts it again.
    inFlight.loop.start();
    inFlight.loop.nudge();
    await settle();
    expect(inFlight.loop.state).toBe('stopped');
  });

  it('ignores a stream that belongs to an earlier live period', async () => {
    const h = harness();
    h.loop.start();
    await settle();
    const old = h.streams[0]!;
    old.end('offline');
    await h.fire();
    expect(h.loop.state).toBe('live');
    const saved = h.token();
    old.batch('stale');
    old.end('failed');
    await settle();
    expect(h.loop.state).toBe('live');
    expect(h.token()).toBe(saved);
  });

  it('ignores a flush that finishes after the state it started in was left', async () => {
    const flush = deferred<FlushOutcome>();
    const h = harness({ flushes: ['drained', flush.promise] });
    h.loop.start();
    await settle();
    expect(h.loop.state).toBe('live');
    h.streams[0]!.end('offline');
    flush.resolve('unauthenticated');
    await settle();
    expect(h.loop.state).toBe('offline');
    expect(h.loop.lastError).toBeNull();
  });
});

describe('the transitions table', () => {
  const states: LoopState[] = ['initial', 'syncing', 'live', 'offline', 'backingOff', 'stopped'];

  it('has every state, and only states as targets', () => {
    expect(Object.keys(transitions).sort()).toEqual([...states].sort());
    for (const [from, events] of Object.entries(transitions)) {
      for (const [event, to] of Object.entries(events)) expect(states, `${from} --${event}-->`).toContain(to);
    }
  });

  it('can be stopped from every state, and stopped is final', () => {
    for (const state of states.filter((s) => s !== 'stopped')) {
      expect((transitions[state] as Record<string, LoopState>).stop, state).toBe('stopped');
    }
    expect(transitions.stopped).toEqual({});
  });

  it('retries from both waiting states, and reaches every state from initial', () => {
    expect(transitions.offline).toMatchObject({ retry: 'syncing' });
    expect(transitions.backingOff).toMatchObject({ retry: 'syncing' });
    const reached = new Set<LoopState>(['initial']);
    for (let changed = true; changed; ) {
      changed = false;
      for (const from of [...reached]) {
        for (const to of Object.values(transitions[from]) as LoopState[]) {
          if (!reached.has(to)) reached.add(to), (changed = true);
        }
      }
    }
    expect([...reached].sort()).toEqual([...states].sort());
  });

  it('is the documented machine', () => {
    expect(transitions).toEqual({
      initial: { start: 'syncing', stop: 'stopped' },
      syncing: { caughtUp: 'live', wentOffline: 'offline', failed: 'backingOff', stop: 'stopped' },
      live: { wentOffline: 'offline', failed: 'backingOff', stop: 'stopped' },
      offline: { retry: 'syncing', stop: 'stopped' },
      backingOff: { retry: 'syncing', stop: 'stopped' },
      stopped: {},
    });
  });
});
