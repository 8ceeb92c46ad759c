/**
 * One read of the log per wake-up per workspace, however many streams follow it.
 *
 * Without this, every open subscription reads the log by itself on every
 * wake-up: a commit in a workspace with 1,000 subscribers is 1,000 identical
 * queries. Here the streams of a workspace wake through the tail, and a stream's
 * read joins a read of the same position that started after the last wake-up
 * (in flight or done). Streams at other positions (catching up, or behind) read
 * on their own, and join each other the same way.
 *
 * Why it keeps "no gap, no duplicate": a stream still reads strictly after its
 * own position, so sharing a read only ever hands it the page it would have read
 * itself. A shared read is reused only until the next wake-up, and every read
 * that was started before that wake-up is forgotten by it: a stream woken for a
 * commit can only get a read that started after the wake-up, which (wake-ups
 * are sent after commit) includes that commit.
 */
import type { ChangeListener, ChangeNotifier } from './notifier.ts';
import type { ChangePage } from './pull.ts';

interface WorkspaceTail {
  listeners: Set<ChangeListener>;
  /** Reads started since the last wake-up, by cursor: in flight, or done and at the end of the log. */
  reads: Map<string, Promise<ChangePage>>;
  unsubscribe: () => void;
}

/** A ChangeNotifier for streams: wake-ups pass through it, and reads of a workspace's log are shared. */
export class LiveTail implements ChangeNotifier {
  readonly #tails = new Map<string, WorkspaceTail>();

  constructor(private readonly notifier: ChangeNotifier) {}

  publish(workspaceId: string, seq: number): void {
    this.notifier.publish(workspaceId, seq);
  }

  /** One listener on the notifier per workspace with open streams, whatever their number. */
  subscribe(workspaceId: string, listener: ChangeListener): () => void {
    let tail = this.#tails.get(workspaceId);
    if (!tail) {
      const created: WorkspaceTail = { listeners: new Set(), reads: new Map(), unsubscribe: () => {} };
      created.unsubscribe = this.notifier.subscribe(workspaceId, (id, seq) => {
        // Forget reads first: every stream woken below must read anew.
        created.reads.clear();
        for (const wake of [...created.listeners]) wake(id, seq);
      });
      this.#tails.set(workspaceId, (tail = created));
    }
    const joined = tail;
    joined.listeners.add(listener);
    return () => {
      joined.listeners.delete(listener);
      if (joined.listeners.size === 0 && this.#tails.get(workspaceId) === joined) {
        joined.unsubscribe();
        this.#tails.delete(workspaceId);
      }
    };
  }

  /** Open streams of a workspace following this tail. */
  listenerCount(workspaceId: string): number {
    return this.#tails.get(workspaceId)?.listeners.size ?? 0;
  }

  /**
   * The page at `cursor` (the stream's position, and whatever else decides what
   * a read of it returns, e.g. its compaction floor): a read of that cursor
   * started since the workspace's last wake-up if there is one, else `load()`.
   * Only for streams subscribed here (the wake-ups that invalidate reads come
   * through the tail).
   */
  read(workspaceId: string, cursor: string, load: () => Promise<ChangePage>): Promise<ChangePage> {
    const tail = this.#tails.get(workspaceId);
    if (!tail) return load();
    const shared = tail.reads.get(cursor);
    if (shared) return shared;
    const started = load();
    tail.reads.set(cursor, started);
    // Kept once done only if it reached the end of the log, where live streams
    // wait for the next wake-up: a catch-up page (hasMore) is rarely read twice
    // and would hold memory until then. A failed read is not kept either: the
    // next stream at that cursor tries again.
    const forget = () => {
      if (tail.reads.get(cursor) === started) tail.reads.delete(cursor);
    };
    started.then((page) => page.hasMore && forget(), forget);
    return started;
  }

  /** Shared reads held (for tests). */
  heldReads(workspaceId: string): number {
    return this.#tails.get(workspaceId)?.reads.size ?? 0;
  }
}
