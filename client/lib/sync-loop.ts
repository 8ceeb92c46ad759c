/**
 * The sync loop, as an explicit state machine.
 *
 *                 start             caughtUp
 *     initial ─────────► syncing ─────────────► live
 *                         ▲    │                 │
 *                   retry │    │ wentOffline /   │ wentOffline /
 *                         │    ▼ failed          │ failed
 *                  offline | backingOff ◄────────┘
 *
 *     (every state) ──stop──► stopped
 *
 * syncing: pull pages until hasMore is false (a BAD_SYNC_TOKEN or
 *   SYNC_TOKEN_EXPIRED restarts from a full sync; the outbox is untouched), then
 *   send the outbox in order. A full sync saves its token only when complete.
 * live: the `changes` subscription is open; local changes are sent as they come.
 * offline / backingOff: wait, then retry. The wait is exponential backoff with
 *   full jitter and a cap; reaching live resets it. `nudge()` (the browser's
 *   `online` event) retries at once. A push the server rate limited backs off
 *   too, waiting at least as long as the server asked.
 *
 * The table below is the only place transitions are defined; the compiler
 * checks that every state is covered and that every target is a state.
 */
import { Backoff, type BackoffOptions } from './backoff.ts';
import type { FlushOutcome } from './outbox-exchange.ts';

export type LoopState = 'initial' | 'syncing' | 'live' | 'offline' | 'backingOff' | 'stopped';
export type LoopEvent = 'start' | 'caughtUp' | 'wentOffline' | 'failed' | 'retry' | 'stop';

export const transitions = {
  initial: { start: 'syncing', stop: 'stopped' },
  syncing: { caughtUp: 'live', wentOffline: 'offline', failed: 'backingOff', stop: 'stopped' },
  live: { wentOffline: 'offline', failed: 'backingOff', stop: 'stopped' },
  offline: { retry: 'syncing', stop: 'stopped' },
  backingOff: { retry: 'syncing', stop: 'stopped' },
  stopped: {},
} as const satisfies { readonly [S in LoopState]: { readonly [E in LoopEvent]?: LoopState } };

export type PullOutcome =
  | { kind: 'page'; syncToken: string; hasMore: boolean }
  | { kind: 'offline' }
  | { kind: 'badToken' }
  | { kind: 'failed'; reason: string };

export type StreamEnd = 'offline' | 'badToken' | 'failed';

/** What the loop drives; the sync client supplies it (tests can supply fakes). */
export interface SyncOperations {
  syncToken(): string | null;
  saveSyncToken(token: string | null): Promise<void>;
  pullPage(since: string | null): Promise<PullOutcome>;
  flush(): Promise<FlushOutcome>;
  /** Opens the live stream; returns the function that closes it. */
  subscribe(since: string | null, handlers: { batch(syncToken: string): void; end(reason: StreamEnd): void }): () => void;
}

export interface SyncLoopOptions {
  backoff?: BackoffOptions;
  onState?(state: LoopState, detail?: string): void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class SyncLoop {
  #state: LoopState = 'initial';
  #epoch = 0; // bumps on every transition: work of an older state is ignored
  #timer: unknown = null;
  #closeStream: (() => void) | null = null;
  /** The position the last pull reached: where the live stream starts. */
  #position: string | null = null;
  readonly #backoff: Backoff;
  /** The next backoff waits at least this long (the server's retry-after). */
  #minDelayMs = 0;
  lastError: string | null = null;

  constructor(
    private readonly ops: SyncOperations,
    private readonly options: SyncLoopOptions = {},
  ) {
    this.#backoff = new Backoff(options.backoff);
  }

  get state(): LoopState {
    return this.#state;
  }

  start() {
    this.#dispatch('start');
  }

  stop() {
    this.#dispatch('stop');
  }

  /** The network may be back (e.g. the browser's `online` event): retry now instead of at the timer. */
  nudge() {
    if (this.#state === 'offline' || this.#state === 'backingOff') this.#dispatch('retry');
  }

  /** Local changes are waiting: send them now if live (otherwise syncing will). */
  kick() {
    if (this.#state !== 'live') return;
    const epoch = this.#epoch;
    void this.ops.flush().then((outcome) => {
      if (epoch === this.#epoch) this.#leaveOnFlushFailure(outcome);
    }, (error: unknown) => this.#fail(String(error)));
  }

  /** Leaves the state when a flush could not reach or satisfy the server; true if it did. */
  #leaveOnFlushFailure(outcome: FlushOutcome): boolean {
    if (outcome === 'offline') this.#dispatch('wentOffline');
    else if (outcome === 'unauthenticated') this.#fail('not authenticated');
    else if (typeof outcome === 'object') {
      this.#minDelayMs = outcome.retryAfterMs ?? 0;
      this.#fail('rate limited by the server');
    } else return false;
    return true;
  }

  #dispatch(event: LoopEvent, detail?: string) {
    const next = (transitions[this.#state] as Partial<Record<LoopEvent, LoopState>>)[event];
    if (!next) return; // not an event this state reacts to
    this.#leave();
    this.#state = next;
    this.#epoch += 1;
    if (next === 'live') this.lastError = null;
    this.options.onState?.(next, detail);
    this.#enter(next);
  }

  #fail(reason: string) {
    this.lastError = reason;
    this.#dispatch('failed', reason);
  }

  #leave() {
    if (this.#timer !== null) (this.options.clearTimer ?? clearTimeout)(this.#timer as never);
    this.#timer = null;
    this.#closeStream?.();
    this.#closeStream = null;
  }

  #enter(state: LoopState) {
    switch (state) {
      case 'syncing':
        void this.#sync(this.#epoch).catch((error: unknown) => this.#fail(String(error)));
        return;
      case 'live':
        this.#backoff.reset();
        this.#openStream(this.#epoch);
        // Changes made while the pull ran were not in that flush.
        this.kick();
        return;
      case 'offline':
      case 'backingOff': {
        const delay = Math.max(this.#backoff.next(), this.#minDelayMs);
        this.#minDelayMs = 0;
        this.#timer = (this.options.setTimer ?? setTimeout)(() => this.#dispatch('retry'), delay);
        return;
      }
      case 'initial':
      case 'stopped':
        return;
    }
  }

  async #sync(epoch: number) {
    const current = () => epoch === this.#epoch;
    let since = this.ops.syncToken();
    let fullSync = since === null;
    for (;;) {
      const page = await this.ops.pullPage(since);
      if (!current()) return;
      if (page.kind === 'offline') return this.#dispatch('wentOffline');
      if (page.kind === 'failed') return this.#fail(page.reason);
      if (page.kind === 'badToken') {
        since = null; // full resync; local unsent changes stay in the outbox
        fullSync = true;
        await this.ops.saveSyncToken(null);
        continue;
      }
      since = page.syncToken;
      // A full sync is only saved once complete: its last page is what lets the
      // cache drop records the server no longer has (cache.ts), so one
      // cut short starts over from null rather than resuming halfway.
      if (!fullSync || !page.hasMore) await this.ops.saveSyncToken(since);
      if (!page.hasMore) break;
    }
    const flushed = await this.ops.flush();
    if (!current() || this.#leaveOnFlushFailure(flushed)) return;

    this.#position = since;
    this.#dispatch('caughtUp');
  }

  #openStream(epoch: number) {
    const close = this.ops.subscribe(this.#position, {
      batch: (token) => {
        if (epoch !== this.#epoch) return;
        this.#position = token;
        void this.ops.saveSyncToken(token);
      },
      end: (reason) => {
        if (epoch !== this.#epoch) return;
        if (reason === 'badToken') void this.ops.saveSyncToken(null);
        if (reason === 'offline') this.#dispatch('wentOffline');
        else this.#fail(`live stream ended: ${reason}`);
      },
    });
    this.#closeStream = close;
  }
}
