/**
 * One log line per GraphQL operation, over HTTP, SSE and WebSocket alike:
 * request id, operation name and type, duration and the error codes the client
 * got. Never the document's variables, the headers or the result: they carry
 * tokens and record contents. A fault (an error the client sees as
 * INTERNAL_SERVER_ERROR) is logged at level error with its description, under
 * the same request id.
 *
 * A subscription's line is written when it ends; its duration is how long it
 * was open.
 */
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { clientErrorCode, RequestErrorCode } from '../errors.ts';
import { markLogged, type Logger } from '../logger.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from '../request-id.ts';

interface TransportContext {
  /** HTTP and SSE: yoga's fetch Request. */
  request?: { headers: { get(name: string): string | null } };
  /** WebSocket: the upgrade request. */
  req?: { headers: Record<string, string | string[] | undefined> };
  params?: { operationName?: string | null };
}

const MAX_NAME_LENGTH = 100;

export function useOperationLog(logger: Logger): Plugin {
  const requestIds = new WeakMap<object, string>();
  const requestIdOf = (context: TransportContext): string => {
    let id = requestIds.get(context);
    if (!id) {
      id = requestIdFrom(context.request?.headers.get(REQUEST_ID_HEADER) ?? context.req?.headers[REQUEST_ID_HEADER]);
      requestIds.set(context, id);
    }
    return id;
  };

  const write = (
    context: TransportContext,
    operation: { name: string | undefined; type: string },
    startedAt: number,
    errors: readonly unknown[],
  ) => {
    const codes = [...new Set(errors.map((error) => clientErrorCode(error)))];
    const fault = errors.find((error) => clientErrorCode(error) === RequestErrorCode.INTERNAL_SERVER_ERROR);
    const line = {
      requestId: requestIdOf(context),
      operationName: operation.name?.slice(0, MAX_NAME_LENGTH) ?? null,
      operationType: operation.type,
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
      ...(codes.length > 0 ? { errorCodes: codes } : {}),
    };
    if (fault) {
      if (typeof fault === 'object' && fault !== null) markLogged(fault);
      logger.error({ ...line, err: fault }, 'operation failed');
    } else {
      logger.info(line, 'operation');
    }
  };

  return {
    onParse({ context }) {
      const startedAt = performance.now();
      return ({ result }) => {
        if (result instanceof Error) {
          write(context, { name: (context as TransportContext).params?.operationName ?? undefined, type: 'unknown' }, startedAt, [result]);
        }
      };
    },
    onValidate({ context, params }) {
      const startedAt = performance.now();
      return ({ valid, result }) => {
        if (!valid) write(context, describe(params.documentAST, context), startedAt, result);
      };
    },
    onExecute({ args }) {
      const startedAt = performance.now();
      const operation = describe(args.document, args.contextValue, args.operationName);
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) return; // incremental delivery is not used by this schema
          write(args.contextValue, operation, startedAt, result.errors ?? []);
        },
      };
    },
    onSubscribe({ args }) {
      const startedAt = performance.now();
      const operation = describe(args.document, args.contextValue, args.operationName);
      const errors: unknown[] = [];
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) {
            write(args.contextValue, operation, startedAt, (result as ExecutionResult).errors ?? []);
            return;
          }
          return {
            onNext({ result: event }) {
              if (event.errors) errors.push(...event.errors);
            },
            onEnd() {
              write(args.contextValue, operation, startedAt, errors);
            },
          };
        },
        onSubscribeError({ error }) {
          write(args.contextValue, operation, startedAt, [error]);
        },
      };
    },
  };
}

function describe(document: DocumentNode, context: unknown, operationName?: string | null) {
  const name = operationName ?? (context as TransportContext).params?.operationName ?? undefined;
  const ast = getOperationAST(document, name);
  return { name: ast?.name?.value ?? name ?? undefined, type: ast?.operation ?? 'unknown' };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
