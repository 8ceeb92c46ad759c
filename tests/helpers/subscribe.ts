/**
 * Client side of the `changes` subscription, over either transport, as a real
 * client speaks it: graphql-sse (distinct connections mode) or graphql-ws.
 *
 * A subscription records everything it is told (batches, GraphQL errors,
 * transport failures, completion) so tests can poll it with `waitFor` instead
 * of sleeping.
 */
import { createClient as createSseClient, NetworkError } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestGateway } from './gateway.ts';
import { SUBSCRIBE } from './sync.ts';

export type Transport = 'sse' | 'ws';
export const TRANSPORTS: Transport[] = ['sse', 'ws'];

export interface ChangeBatch {
  syncToken: string;
  hasMore: boolean;
  changes: any[];
}

export interface ErrorLike {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface ChangesSubscription {
  readonly transport: Transport;
  /** Every `changes` event received, in order. */
  readonly batches: ChangeBatch[];
  /** GraphQL errors, however the transport delivered them (a result with errors, or an error of the sink). */
  readonly errors: ErrorLike[];
  /** Anything the sink's error callback got that is not a list of GraphQL errors (network errors, close events). */
  readonly failures: unknown[];
  /** Results or errors that arrived after dispose() was called. */
  readonly afterDispose: unknown[];
  /** The server (or the client, on dispose) ended the subscription. */
  readonly completed: boolean;
  /** All changes of all batches, flattened, in arrival order. */
  changes(): any[];
  /** The syncToken of the last event, if any. */
  lastToken(): string | undefined;
  /** Stops the subscription and closes its connection; resolves once the client has let go. */
  dispose(): Promise<void>;
}

export interface SubscribeOptions {
  /** The JWT to send; null sends no credentials at all. */
  token: string | null;
  since?: string | null;
  /** WebSocket only: send the token in the connection parameters (default) or as the upgrade request's Authorization header. */
  wsAuth?: 'connectionParams' | 'upgradeHeader';
}

export function subscribeChanges(gw: TestGateway, transport: Transport, options: SubscribeOptions): ChangesSubscription {
  const batches: ChangeBatch[] = [];
  const errors: ErrorLike[] = [];
  const failures: unknown[] = [];
  const afterDispose: unknown[] = [];
  const pendingReads: Promise<void>[] = [];
  let completed = false;
  let disposed = false;
  let ended: () => void = () => {};
  const end = new Promise<void>((resolve) => (ended = resolve));

  const onResult = (result: { data?: any; errors?: readonly ErrorLike[] | null }) => {
    if (disposed) {
      afterDispose.push(result);
      return;
    }
    if (result.errors?.length) errors.push(...result.errors);
    const batch = result.data?.changes as ChangeBatch | undefined;
    if (batch) batches.push(batch);
  };
  const onError = (error: unknown) => {
    if (disposed) afterDispose.push(error);
    else if (Array.isArray(error)) errors.push(...(error as ErrorLike[]));
    else if (error instanceof NetworkError && isResponse(error.response)) {
      // graphql-sse reports a non-2xx answer as a NetworkError carrying the response:
      // its body is the GraphQL result with the errors.
      failures.push(error);
      pendingReads.push(readErrorBody(error.response).then((found) => void errors.push(...found)));
    } else failures.push(error);
    completed = true;
    ended();
  };
  const onComplete = () => {
    completed = true;
    ended();
  };
  const sink = { next: onResult, error: onError, complete: onComplete };
  const payload = { query: SUBSCRIBE, variables: { since: options.since ?? null } };
  const authorization = options.token ? `Bearer ${options.token}` : undefined;

  let stop: () => Promise<void>;
  if (transport === 'sse') {
    const client = createSseClient({
      url: gw.url,
      singleConnection: false,
      retryAttempts: 0,
      headers: authorization ? { authorization } : {},
    });
    const unsubscribe = client.subscribe(payload, sink);
    stop = async () => {
      unsubscribe();
      await withTimeout(end, 10_000);
      client.dispose();
    };
  } else {
    const inUpgrade = options.wsAuth === 'upgradeHeader' && authorization;
    const client = createWsClient({
      url: gw.wsUrl,
      webSocketImpl: inUpgrade ? webSocketWithHeaders({ authorization }) : WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: authorization && !inUpgrade ? { authorization } : {},
    });
    const unsubscribe = client.subscribe(payload, sink);
    stop = async () => {
      unsubscribe();
      await withTimeout(end, 10_000);
      await client.dispose();
    };
  }

  let disposing: Promise<void> | null = null;
  return {
    transport,
    batches,
    errors,
    failures,
    afterDispose,
    get completed() {
      return completed;
    },
    changes: () => batches.flatMap((batch) => batch.changes),
    lastToken: () => batches.at(-1)?.syncToken,
    dispose() {
      if (!disposing) {
        disposed = true;
        disposing = stop().then(async () => void (await Promise.all(pendingReads)));
      }
      return disposing;
    },
  };
}

/** Polls until `predicate` holds; fails with `what` after `timeoutMs`. Never asserts on speed, only on eventually. */
export async function waitFor(predicate: () => boolean, what: string | (() => string), timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until the subscription has received at least `count` changes; fails at once if it errored or ended. */
export async function waitForChanges(sub: ChangesSubscription, count: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    () => {
      if (sub.errors.length || sub.failures.length) {
        throw new Error(`subscription (${sub.transport}) failed: ${describe(sub)}`);
      }
      if (sub.completed && sub.changes().length < count) {
        throw new Error(`subscription (${sub.transport}) ended early: ${describe(sub)}`);
      }
      return sub.changes().length >= count;
    },
    () => `${count} changes over ${sub.transport} (have ${sub.changes().length})`,
    timeoutMs,
  );
}

/** Waits until the subscription has received a change with this mutationId. */
export async function waitForMutation(sub: ChangesSubscription, mutationId: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    () => {
      if (sub.errors.length || sub.failures.length || sub.completed) {
        throw new Error(`subscription (${sub.transport}) failed or ended: ${describe(sub)}`);
      }
      return sub.changes().some((change) => change.mutationId === mutationId);
    },
    () => `mutation ${mutationId} over ${sub.transport} (have ${sub.changes().length} changes)`,
    timeoutMs,
  );
}

/** Waits until the subscription ended with an error (of any form); resolves with the GraphQL error codes. */
export async function waitForErrorCodes(sub: ChangesSubscription, timeoutMs = 30_000): Promise<(string | undefined)[]> {
  await waitFor(() => sub.errors.length > 0 || sub.completed, () => `an error over ${sub.transport}`, timeoutMs);
  // A NetworkError's body is read asynchronously: let that finish.
  await waitFor(() => sub.errors.length > 0 || sub.failures.length === 0, 'the error body', 5_000).catch(() => {});
  return sub.errors.map((error) => error.extensions?.code);
}

function describe(sub: ChangesSubscription): string {
  return JSON.stringify({
    errors: sub.errors,
    failures: sub.failures.map((failure) => (failure instanceof Error ? failure.message : String(failure))),
    completed: sub.completed,
    received: sub.changes().length,
  });
}

/** The `ws` WebSocket, sending extra headers with the upgrade request (browsers cannot; Node clients can). */
function webSocketWithHeaders(headers: Record<string, string>) {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  };
}

function isResponse(value: unknown): value is Response {
  return typeof value === 'object' && value !== null && typeof (value as Response).text === 'function';
}

async function readErrorBody(response: Response): Promise<ErrorLike[]> {
  try {
    const body = JSON.parse(await response.text()) as { errors?: ErrorLike[] };
    return body.errors ?? [];
  } catch {
    return [];
  }
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
