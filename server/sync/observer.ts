/**
 * What the sync operations tell the outside about themselves, for metrics.
 * The sync code only calls this interface; it never knows how (or whether)
 * the figures are recorded.
 */
import type { ChangeResultView } from './push.ts';

export type PushOutcomeView = Pick<ChangeResultView, 'status' | 'error'>;

export interface SyncObserver {
  /** A push was committed; one result per change, in input order. */
  onPush(results: readonly PushOutcomeView[]): void;
  /** A pull started this many log positions behind its workspace's newest change. */
  onPull(lag: number): void;
  onSubscriptionOpened(): void;
  onSubscriptionClosed(): void;
}

export const ignoreSyncEvents: SyncObserver = {
  onPush() {},
  onPull() {},
  onSubscriptionOpened() {},
  onSubscriptionClosed() {},
};

/**
 * Reports the stream as open from its first read until it ends, however it
 * ends. Not an async generator: a generator's return() waits for the pending
 * next(), which a live stream may not settle until the next change arrives,
 * so a client that leaves would stay counted.
 */
export function observeSubscription<T>(stream: AsyncIterable<T>, observer: SyncObserver): AsyncIterableIterator<T> {
  const inner = stream[Symbol.asyncIterator]();
  let state: 'new' | 'open' | 'closed' = 'new';
  const close = () => {
    if (state === 'open') observer.onSubscriptionClosed();
    state = 'closed';
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (state === 'new') {
        state = 'open';
        observer.onSubscriptionOpened();
      }
      try {
        const step = await inner.next();
        if (step.done) close();
        return step;
      } catch (error) {
        close();
        throw error;
      }
    },
    async return(value?: unknown) {
      close();
      return (await inner.return?.(value)) ?? { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      close();
      if (inner.throw) return inner.throw(error);
      throw error;
    },
  };
}
