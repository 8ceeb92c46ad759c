/**
 * The `changes` subscription: catch up from a position, then follow live.
 *
 * Order matters. The wake-up listener is attached before the first read, so a
 * change committed during catch-up wakes the stream instead of falling between
 * the catch-up and the live phase. Every read starts at the stream's own
 * position, so a change is delivered once even when several wake-ups, or a
 * wake-up and a catch-up page, cover it. Streams of one workspace share their
 * reads through the service's LiveTail (live-tail.ts); that changes how many
 * queries run, not what a stream reads.
 */
import { Repeater } from 'graphql-yoga';
import type { ChangeNotifier } from './notifier.ts';
import type { ChangePage } from './pull.ts';

export interface StreamOptions<TBatch> {
  notifier: ChangeNotifier;
  workspaceId: string;
  afterSeq: number;
  readPage(afterSeq: number): Promise<ChangePage>;
  toBatch(page: ChangePage): TBatch;
}

export function streamChanges<TBatch>(options: StreamOptions<TBatch>): Repeater<TBatch> {
  const { notifier, workspaceId, readPage, toBatch } = options;
  return new Repeater<TBatch>(async (push, stop) => {
    let stopped = false;
    let pending = true; // the catch-up counts as the first wake-up
    let wake: () => void = () => {};
    const unsubscribe = notifier.subscribe(workspaceId, () => {
      pending = true;
      wake();
    });
    void stop.then(() => {
      stopped = true;
      wake();
    });

    let position = options.afterSeq;
    let first = true;
    try {
      while (!stopped) {
        if (!pending) await new Promise<void>((resolve) => (wake = resolve));
        if (stopped) break;
        pending = false;
        let hasMore = true;
        while (hasMore && !stopped) {
          const page = await readPage(position);
          hasMore = page.hasMore;
          // The first event goes out even when empty: it tells the client the
          // stream is live and hands it a token.
          if (page.changes.length > 0 || first) {
            first = false;
            position = page.lastSeq;
            await push(toBatch(page));
          }
        }
      }
    } catch (error) {
      stop(error);
    } finally {
      unsubscribe();
    }
  });
}
