/**
 * Runs a subscription event's selection set once for all subscribers that
 * asked for the same thing, instead of once per subscriber.
 *
 * The sync service hands every stream of a workspace at the same position the
 * same batch object (SyncService.subscribe). Executing the event is then a pure
 * function of (event, document, operation name, variables): yoga's parse cache
 * gives every request with the same query text the same DocumentNode, so the
 * result is memoized under those keys and every subscriber gets the same
 * result object. With 1,000 subscribers an event is executed once, not 1,000
 * times.
 *
 * The condition that makes this correct: **no resolver below a subscription
 * field reads the context**. Here the `changes` payload resolves to the event
 * itself and everything under it (ChangeBatch, Change, the SyncRecord types,
 * `__resolveType` from `__typename`, the DateTime and JSON scalars) reads only
 * the event. Who may see the events is decided once per subscriber, when the
 * subscription's own `subscribe` resolver runs (with that subscriber's context:
 * authentication, the workspace, the token), and that part is not shared. A
 * subscription field whose payload resolvers do read the context must not go
 * through this plugin.
 *
 * Results are shared objects, so nothing downstream may change them in place:
 * error masking replaces a result carrying errors with a copy (and only
 * changes an error itself idempotently). Each shared result also carries its
 * own JSON text, made once: yoga's SSE writer serializes a result with its
 * `stringify` function when it has one (the hook graphql-jit uses); it is not
 * enumerable, so copies (as masking makes) do not inherit it.
 */
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type OperationDefinitionNode,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

type EventResult = ExecutionResult | Promise<ExecutionResult>;

export function useSharedSubscriptionExecution(): Plugin {
  // Event → document → operation name and variables → result. Weak on the
  // event: a batch no stream holds any more takes its results with it.
  const results = new WeakMap<object, WeakMap<DocumentNode, Map<string, EventResult>>>();

  const executeShared = (args: ExecutionArgs, variablesKey: string, event: unknown): EventResult => {
    if (typeof event !== 'object' || event === null) return executeEvent(args, event);
    let byDocument = results.get(event);
    if (!byDocument) results.set(event, (byDocument = new WeakMap()));
    let byRequest = byDocument.get(args.document);
    if (!byRequest) byDocument.set(args.document, (byRequest = new Map()));
    const key = `${args.operationName ?? ''}\n${variablesKey}`;
    let result = byRequest.get(key);
    if (!result) {
      result = executeEvent(args, event);
      byRequest.set(key, result);
      // A fault is not kept: the next subscriber tries again.
      if (result instanceof Promise) result.catch(() => byRequest!.delete(key));
    }
    return result;
  };

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args) => {
        const source = await createSourceEventStream(args);
        if (!isAsyncIterable(source)) return tagRequestErrors(source);
        const operation = getOperationAST(args.document, args.operationName);
        const variablesKey = JSON.stringify(args.variableValues ?? {});
        return mapEvents(
          source,
          (event) => executeShared(args, variablesKey, event),
          (error) => sourceError(error, operation),
        );
      });
    },
  };
}

/** The ExecuteSubscriptionEvent step, as graphql's own subscribe does it; its result made shareable. */
function executeEvent(args: ExecutionArgs, event: unknown): EventResult {
  const result = execute({ ...args, contextValue: undefined, rootValue: event });
  return result instanceof Promise ? result.then(withOwnJson) : withOwnJson(result);
}

function withOwnJson(result: ExecutionResult): ExecutionResult {
  let json: string | undefined;
  Object.defineProperty(result, 'stringify', {
    enumerable: false,
    value: (value: unknown) => (value === result ? (json ??= JSON.stringify(result)) : JSON.stringify(value)),
  });
  return result;
}

/**
 * Errors raised before the stream exists without a path (variables that do not
 * coerce) are the request's fault: coded as yoga's own executor codes them.
 */
function tagRequestErrors(result: ExecutionResult): ExecutionResult {
  for (const error of result.errors ?? []) {
    if (error.path) continue;
    const extensions = error.extensions as Record<string, unknown>;
    extensions.code ??= 'BAD_USER_INPUT';
    extensions.http = { ...(extensions.http as object | undefined), status: 400 };
  }
  return result;
}

/** A stream that fails mid-way (e.g. its token expired) ends with a located error, as with yoga's executor. */
function sourceError(error: unknown, operation: OperationDefinitionNode | null | undefined): GraphQLError {
  const original = error instanceof Error ? error : new Error(String(error));
  return new GraphQLError(original.message, { originalError: original, nodes: operation ?? undefined });
}

/**
 * Maps a stream event by event. Hand-written rather than an async generator:
 * a generator cannot be returned while it awaits the next event, so a
 * subscriber that leaves would hold its stream open until the next change.
 */
function mapEvents<T>(
  source: AsyncIterable<unknown>,
  map: (event: unknown) => T | Promise<T>,
  onSourceError: (error: unknown) => unknown,
): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const mapStep = async (step: IteratorResult<unknown>): Promise<IteratorResult<T>> => {
    if (step.done) return { done: true, value: undefined };
    try {
      return { done: false, value: await map(step.value) };
    } catch (error) {
      await iterator.return?.();
      throw error;
    }
  };
  return {
    async next() {
      let step: IteratorResult<unknown>;
      try {
        step = await iterator.next();
      } catch (error) {
        throw onSourceError(error);
      }
      return mapStep(step);
    },
    async return() {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      if (!iterator.throw) throw error;
      return mapStep(await iterator.throw(error));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
