/**
 * Wake-up signals for live subscriptions: "workspace W has changes up to N".
 *
 * A signal carries no changes. Subscribers always read from the log, from their
 * own position, so a lost, late or coalesced signal can delay delivery but never
 * lose or duplicate a change. That keeps this interface easy to back with
 * something cross-process (PostgreSQL NOTIFY) without touching the readers.
 */
import type { SQL } from 'drizzle-orm';

/** `seq` is a hint only; 0 when the position is not known (a wake-up after signals may have been missed). */
export type ChangeListener = (workspaceId: string, seq: number) => void;

export interface ChangeNotifier {
  /** After commit: wake this process's listeners of the workspace. */
  publish(workspaceId: string, seq: number): void;
  /**
   * A signal for other processes, as an SQL expression the push that wrote up to
   * `seq` evaluates in its last write (no round trip of its own): it is sent from
   * inside the transaction, so it is delivered with the commit and never for a
   * push that rolled back. In-process notifiers leave it out.
   */
  announcement?(workspaceId: string, seq: number): SQL;
  /** Returns the function that stops listening. */
  subscribe(workspaceId: string, listener: ChangeListener): () => void;
  /** Live listeners of a workspace in this process (one per open subscription). */
  listenerCount(workspaceId: string): number;
}

/** Signals within this process. */
export class LocalChangeNotifier implements ChangeNotifier {
  readonly #listeners = new Map<string, Set<ChangeListener>>();

  publish(workspaceId: string, seq: number): void {
    for (const listener of this.#listeners.get(workspaceId) ?? []) listener(workspaceId, seq);
  }

  subscribe(workspaceId: string, listener: ChangeListener): () => void {
    let set = this.#listeners.get(workspaceId);
    if (!set) this.#listeners.set(workspaceId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(workspaceId) === set) this.#listeners.delete(workspaceId);
    };
  }

  listenerCount(workspaceId: string): number {
    return this.#listeners.get(workspaceId)?.size ?? 0;
  }

  /** Wakes every listener of every workspace: for when signals may have been lost. */
  wakeAll(): void {
    for (const [workspaceId, listeners] of this.#listeners) for (const listener of listeners) listener(workspaceId, 0);
  }
}
