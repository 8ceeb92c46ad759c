/**
 * Wake-up signals across every gateway process on one PostgreSQL database.
 *
 * A push sends one NOTIFY from inside its transaction: PostgreSQL delivers it
 * after commit, to every listening session, and drops it if the push rolls back.
 * NOTIFY takes a database-wide lock at commit, so there is one per push and its
 * payload is tiny: the workspace and the position reached.
 *
 * Each process LISTENs on one connection of its own. Delivery is not a promise
 * this design leans on: signals can be coalesced, or lost while that connection
 * is down. Streams read from their own position in the log, so a late or
 * repeated wake-up costs a read and never a change, and after every (re)connect
 * every local stream is woken to catch up on whatever it may have missed.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { NotificationHandler } from '../../db/client.ts';
import { LocalChangeNotifier, type ChangeListener, type ChangeNotifier } from './notifier.ts';

export const CHANGES_CHANNEL = 'sync_changes';

export interface ChannelListener {
  listen(channel: string, onNotify: NotificationHandler, onListen: () => void): Promise<{ unlisten(): Promise<void> }>;
}

export interface ChangeSignal {
  workspaceId: string;
  seq: number;
}

export function encodeSignal(signal: ChangeSignal): string {
  return JSON.stringify([signal.workspaceId, signal.seq]);
}

/** null: not a signal this gateway sent (e.g. a hand-made NOTIFY). */
export function decodeSignal(payload: string): ChangeSignal | null {
  try {
    const value: unknown = JSON.parse(payload);
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && Number.isSafeInteger(value[1])) {
      return { workspaceId: value[0], seq: value[1] as number };
    }
  } catch {
    // fall through
  }
  return null;
}

export class PostgresChangeNotifier implements ChangeNotifier {
  readonly #local = new LocalChangeNotifier();
  /**
   * Per workspace with listeners here: the highest position they were woken for.
   * A signal at or below it is this process's own push coming back (or an older
   * one arriving late): the listeners already read past it.
   */
  readonly #woken = new Map<string, number>();
  #unlisten: (() => Promise<void>) | null = null;

  private constructor() {}

  /** Resolves once LISTEN is in effect. */
  static async start(listener: ChannelListener): Promise<PostgresChangeNotifier> {
    const notifier = new PostgresChangeNotifier();
    const { unlisten } = await listener.listen(
      CHANGES_CHANNEL,
      (payload) => notifier.#received(payload),
      () => notifier.#local.wakeAll(),
    );
    notifier.#unlisten = unlisten;
    return notifier;
  }

  /** This process's own push, committed: wake its listeners now rather than after the round trip through the database. */
  publish(workspaceId: string, seq: number): void {
    this.#wake(workspaceId, seq);
  }

  announcement(workspaceId: string, seq: number): SQL {
    return sql`pg_notify(${CHANGES_CHANNEL}, ${encodeSignal({ workspaceId, seq })})`;
  }

  subscribe(workspaceId: string, listener: ChangeListener): () => void {
    const unsubscribe = this.#local.subscribe(workspaceId, listener);
    return () => {
      unsubscribe();
      if (this.#local.listenerCount(workspaceId) === 0) this.#woken.delete(workspaceId);
    };
  }

  listenerCount(workspaceId: string): number {
    return this.#local.listenerCount(workspaceId);
  }

  /** Stops listening (the connection itself closes with the database). */
  async close(): Promise<void> {
    const unlisten = this.#unlisten;
    this.#unlisten = null;
    await unlisten?.();
  }

  #received(payload: string) {
    const signal = decodeSignal(payload);
    if (!signal) return this.#local.wakeAll();
    if (signal.seq <= (this.#woken.get(signal.workspaceId) ?? 0)) return;
    this.#wake(signal.workspaceId, signal.seq);
  }

  #wake(workspaceId: string, seq: number) {
    if (this.#local.listenerCount(workspaceId) === 0) return;
    this.#woken.set(workspaceId, Math.max(seq, this.#woken.get(workspaceId) ?? 0));
    this.#local.publish(workspaceId, seq);
  }
}
