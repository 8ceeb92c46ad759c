/**
 * The outbox: an urql exchange under graphcache that holds every pushChanges
 * mutation marked `context.outbox` until the server has answered it, and sends
 * the pending changes itself, in the order the user made them.
 *
 * It takes over from offlineExchange's mutation queue, which (urql issues #2882,
 * #2347, #2471) replays all at once and unordered, clears its persisted queue
 * before the answers arrive, and drops a replay answered with an error. Here:
 * - one batch is in flight at a time, oldest first;
 * - a change leaves storage only when the server has answered it (at least once
 *   from here, exactly once in effect through the server's mutation ids);
 * - a refused change, or a batch answered with an error, goes to the failed list.
 *
 * A held mutation keeps graphcache's optimistic layer on screen while it waits,
 * and since this exchange never answers it with an offline error, offlineExchange
 * never queues it a second time.
 */
import {
  CombinedError,
  createRequest,
  makeErrorResult,
  makeResult,
  type Exchange,
  type Operation,
  type OperationResult,
} from '@urql/core';
import { filter, makeSubject, merge, onPush, pipe, share } from 'wonka';
import { PushChangesDocument, type PushChangesMutation } from '../generated/graphql.ts';
import { errorWithCode, isOfflineError } from './offline.ts';
import type { SyncStateStore } from './sync-state.ts';
import { toChangeInput, type PendingChange } from './storage.ts';

/** The server refused the push for now (RATE_LIMITED): nothing of it was applied; send it again later. */
export interface RetryLater {
  kind: 'retryLater';
  /** The server's hint, if it gave one. */
  retryAfterMs: number | null;
}

export type FlushOutcome = 'drained' | 'offline' | 'unauthenticated' | 'stopped' | RetryLater;

type ChangeResult = PushChangesMutation['pushChanges']['results'][number];

type Answer = { result: ChangeResult } | { error: CombinedError };

const isHeld = (op: Operation) => op.kind === 'mutation' && op.context.outbox === true;
// Answers are kept this long for held mutations that reach the exchange late
// (graphcache may hold operations back while it rehydrates).
const KEEP_ANSWERS = 10_000;

export class OutboxPump {
  #send?: (op: Operation) => Promise<OperationResult>;
  #createOperation?: (changes: PendingChange[]) => Operation;
  #answer?: (result: OperationResult) => void;
  readonly #held = new Map<string, Operation>();
  readonly #answers = new Map<string, Answer>();
  #flushing: Promise<FlushOutcome> | null = null;
  #stopped = false;

  constructor(
    private readonly state: SyncStateStore,
    private readonly batchSize = 500,
  ) {}

  /**
   * Stops sending. An answer still on its way is then ignored: nothing is
   * acknowledged, and the changes stay in storage to be sent again (and come
   * back DUPLICATE) by the next client on that storage.
   */
  stop(): void {
    this.#stopped = true;
  }

  /** Sends pending changes, batch by batch, until the outbox is empty or the network or auth fails. */
  flush(): Promise<FlushOutcome> {
    this.#flushing ??= this.#drain().finally(() => (this.#flushing = null));
    return this.#flushing;
  }

  async #drain(): Promise<FlushOutcome> {
    if (!this.#send || !this.#createOperation) throw new Error('the outbox exchange is not installed in the urql client');
    for (;;) {
      if (this.#stopped) return 'stopped';
      const batch = this.state.pending.slice(0, this.batchSize);
      if (batch.length === 0) return 'drained';
      const result = await this.#send(this.#createOperation(batch));
      if (this.#stopped) return 'stopped';
      if (isOfflineError(result.error)) return 'offline';
      if (result.error) {
        if (errorWithCode(result.error, 'UNAUTHENTICATED')) return 'unauthenticated';
        const limited = errorWithCode(result.error, 'RATE_LIMITED');
        // Not a verdict on the changes: they stay pending, in order, for the loop to send after a wait.
        if (limited) return { kind: 'retryLater', retryAfterMs: retryAfter(limited.extensions.retryAfterMs) };
        // The server answered, but not with results: nothing of the batch was
        // applied. Keep the changes where a person can see, retry or discard them.
        const error = { code: errorCode(result.error), message: result.error.message };
        await this.state.fail(batch.map((c) => ({ mutationId: c.mutationId, error })));
        for (const change of batch) this.#settle(change.mutationId, { error: result.error });
        continue;
      }
      const results = (result.data as PushChangesMutation).pushChanges.results;
      const rejected = results.filter((r) => r.status === 'REJECTED');
      await this.state.fail(rejected.map((r) => ({ mutationId: r.mutationId, error: r.error ?? { code: 'REJECTED', message: 'rejected' } })));
      await this.state.acknowledge(results.filter((r) => r.status !== 'REJECTED').map((r) => r.mutationId));
      for (const r of results) this.#settle(r.mutationId, { result: r });
    }
  }

  #settle(mutationId: string, answer: Answer) {
    this.#answers.set(mutationId, answer);
    if (this.#answers.size > KEEP_ANSWERS) this.#answers.delete(this.#answers.keys().next().value!);
    this.#release(mutationId);
  }

  /** Answers the mutation that holds this change, so graphcache swaps its optimistic layer for the real record. */
  #release(mutationId: string) {
    const op = this.#held.get(mutationId);
    const answer = this.#answers.get(mutationId);
    if (!op || !answer) return;
    this.#held.delete(mutationId);
    const result = 'error' in answer ? makeErrorResult(op, answer.error) : makeResult(op, { data: pushResultFor(answer.result) });
    // Never answer from inside the push that delivered the operation.
    queueMicrotask(() => this.#answer?.(result));
  }

  exchange: Exchange = ({ forward, client }) => {
    const sends = makeSubject<Operation>();
    const answers = makeSubject<OperationResult>();
    const waiting = new Map<number, (result: OperationResult) => void>();

    this.#createOperation = (changes) =>
      client.createRequestOperation(
        'mutation',
        createRequest(PushChangesDocument, { clientId: this.state.clientId, changes: changes.map(toChangeInput) }),
        { requestPolicy: 'network-only', outboxBatch: true },
      );
    this.#send = (op) =>
      new Promise((resolve) => {
        waiting.set(op.key, resolve);
        sends.next(op);
      });
    this.#answer = (result) => answers.next(result);

    return (operations$) => {
      const shared = pipe(operations$, share);
      const held$ = pipe(
        shared,
        filter(isHeld),
        onPush((op) => {
          const changes = (op.variables as { changes: PendingChange[] }).changes;
          if (changes.length !== 1) throw new Error('an outbox mutation carries exactly one change');
          const { mutationId } = changes[0]!;
          this.#held.set(mutationId, op);
          // Answered already (it arrived late, or is a re-dispatch after a restart)?
          if (!this.state.isPending(mutationId)) this.#release(mutationId);
        }),
        filter(() => false),
      );
      const forwarded$ = pipe(
        forward(merge([pipe(shared, filter((op) => !isHeld(op))), sends.source])),
        share,
      );
      const batchAnswers$ = pipe(
        forwarded$,
        filter((result) => result.operation.context.outboxBatch === true),
        onPush((result) => {
          waiting.get(result.operation.key)?.(result);
          waiting.delete(result.operation.key);
        }),
        filter(() => false),
      );
      const others$ = pipe(forwarded$, filter((result) => result.operation.context.outboxBatch !== true));
      return merge([held$ as never, batchAnswers$, others$, answers.source]);
    };
  };
}

/**
 * A held mutation's own answer: the result of its one change. The batch was
 * sent from below graphcache, which adds __typename to the documents it sends,
 * so the wrapper types are tagged here for it to store them.
 */
function pushResultFor(result: ChangeResult): PushChangesMutation {
  const tagged = { ...result, __typename: 'ChangeResult', error: result.error && { ...result.error, __typename: 'SyncError' } };
  return { __typename: 'Mutation', pushChanges: { __typename: 'PushResult', results: [tagged] } } as PushChangesMutation;
}

function retryAfter(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

function errorCode(error: CombinedError): string {
  const code = error.graphQLErrors[0]?.extensions?.code;
  if (typeof code === 'string') return code;
  const status = (error.response as Response | undefined)?.status;
  return status ? `HTTP_${status}` : 'NETWORK_ERROR';
}
