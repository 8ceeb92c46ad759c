/**
 * Applies the drain (server/shutdown.ts) to GraphQL traffic:
 * - while draining, a new request is answered 503 with a SHUTTING_DOWN error
 *   (a client keeps its changes and retries, as when offline);
 * - every request counts as in flight from arrival until its response exists,
 *   and every execution (also over WebSocket) until it has finished, so the
 *   drain waits for pushes already started;
 * - a subscription ends, when the drain ends streams, with one last result
 *   carrying a SHUTTING_DOWN error (over SSE: a final `next` event, then
 *   `complete`). A subscription's response exists as soon as it starts
 *   streaming, so an open stream never holds the drain up.
 */
import type { ServerResponse } from 'node:http';
import { isAsyncIterable, Repeater, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { shuttingDownError, type Drain } from '../shutdown.ts';

export function useShutdown(drain: Drain): Plugin {
  // Keyed by the server context: the one object both request hooks see, even if a plugin swaps the request.
  const inFlight = new WeakMap<object, () => void>();
  return {
    onRequest({ serverContext, endResponse, fetchAPI }) {
      if (drain.draining) {
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [shuttingDownError().toJSON()] }), {
            status: 503,
            headers: { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'retry-after': '1' },
          }),
        );
        return;
      }
      const done = drain.begin();
      inFlight.set(serverContext, done);
      // A request that fails before it gets a response still ends when its connection does.
      (serverContext as { res?: ServerResponse }).res?.once('close', done);
    },
    onResponse({ serverContext, response }) {
      inFlight.get(serverContext)?.();
      // Kept-alive connections would otherwise hold the server open after the drain
      // (closeHttpServer still closes them as they go idle if a response's headers are frozen).
      if (drain.draining) {
        try {
          response.headers.set('connection', 'close');
        } catch {
          // immutable headers (e.g. Response.error())
        }
      }
    },
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args) => {
        const done = drain.begin();
        try {
          return await executeFn(args);
        } finally {
          done();
        }
      });
    },
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(endOnShutdown(result, drain.streamsEnded));
        },
      };
    },
  };
}

/** The stream as it is, until `signal` aborts: then one SHUTTING_DOWN result, and the end. */
export function endOnShutdown<T>(source: AsyncIterable<T>, signal: AbortSignal): Repeater<T | ExecutionResult> {
  return new Repeater<T | ExecutionResult>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    const end = () => {
      void push({ errors: [shuttingDownError()] });
      stop();
    };
    if (signal.aborted) end();
    else signal.addEventListener('abort', end, { once: true });
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), stop]);
        if (!next || next.done) break;
        await push(next.value);
      }
    } finally {
      signal.removeEventListener('abort', end);
      await iterator.return?.();
    }
  });
}
