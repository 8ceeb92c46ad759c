/**
 * Draining the gateway on shutdown (SIGTERM): refuse new work, let the work in
 * flight finish, then end the live streams, so that every push a client sent
 * before the signal is either answered or never started, and every subscriber
 * is told to reconnect rather than left on a dead connection.
 *
 * This module only keeps the state; server/plugins/shutdown.ts applies it to
 * requests and subscriptions, and Gateway.close (server/app.ts) runs the steps.
 */
import type { Server } from 'node:http';
import { GraphQLError } from 'graphql';
import { RequestErrorCode } from './errors.ts';

export class Drain {
  #draining = false;
  #inFlight = 0;
  #onIdle: (() => void)[] = [];
  readonly #streams = new AbortController();

  /** True from the start of the shutdown: new requests are refused with SHUTTING_DOWN. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Aborted when open subscriptions must end. */
  get streamsEnded(): AbortSignal {
    return this.#streams.signal;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Marks one piece of work as in flight; the returned function ends it (again: no effect). */
  begin(): () => void {
    this.#inFlight += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#inFlight -= 1;
      if (this.#inFlight === 0) for (const resolve of this.#onIdle.splice(0)) resolve();
    };
  }

  /** Refuses new work from now on; resolves true once nothing is in flight, false if `timeoutMs` passed first. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.#draining = true;
    if (this.#inFlight === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.#onIdle.push(() => resolve(true)));
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([idle, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  endStreams(): void {
    this.#draining = true;
    this.#streams.abort();
  }
}

export const SHUTTING_DOWN_MESSAGE = 'The gateway is shutting down. Retry shortly: another instance, or this one once restarted, will answer.';

export function shuttingDownError(): GraphQLError {
  return new GraphQLError(SHUTTING_DOWN_MESSAGE, { extensions: { code: RequestErrorCode.SHUTTING_DOWN } });
}

/**
 * Stops listening, then waits for open connections to finish their current
 * response (closing each as it goes idle); whatever is still open at the
 * deadline is cut. Upgraded (WebSocket) sockets count as open until they close:
 * `cut` ends them at the deadline.
 */
export async function closeHttpServer(server: Server, timeoutMs: number, cut: () => void = () => {}): Promise<void> {
  let closed = false;
  const done = new Promise<void>((resolve) => server.close(() => resolve())).then(() => void (closed = true));
  const deadline = Date.now() + timeoutMs;
  while (!closed && Date.now() < deadline) {
    server.closeIdleConnections();
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 25))]);
  }
  if (!closed) {
    cut();
    server.closeAllConnections();
  }
  await done;
}
