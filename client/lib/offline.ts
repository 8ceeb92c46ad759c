/**
 * Is this error the network being unreachable (keep the change, retry later)
 * rather than the server answering (act on its answer)?
 *
 * graphcache's default test looks at `navigator.onLine` and "failed to fetch",
 * which never matches in Node, where fetch fails with "fetch failed" and the
 * cause carries an errno code. Both are recognised here.
 */
import type { CombinedError } from '@urql/core';

const OFFLINE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const OFFLINE_MESSAGE = /fetch failed|failed to fetch|network ?error|load failed|networkerror|socket hang up|ECONNREFUSED|ECONNRESET/i;

export function isOfflineError(error: CombinedError | undefined): boolean {
  if (!error) return false;
  if (isServerShuttingDown(error)) return true;
  if (!error.networkError) return false;
  // Any HTTP response means the network works and the server answered.
  if (error.response && typeof (error.response as Response).status === 'number') return false;
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return true;
  return isOfflineCause(error.networkError);
}

export function isOfflineCause(error: unknown): boolean {
  for (let cause = error as { code?: string; message?: string; cause?: unknown } | undefined, depth = 0; cause && depth < 5; depth++) {
    if (cause.code && OFFLINE_CODES.has(cause.code)) return true;
    if (cause.message && OFFLINE_MESSAGE.test(cause.message)) return true;
    cause = cause.cause as typeof cause;
  }
  return false;
}

/**
 * A gateway that is shutting down answers SHUTTING_DOWN (HTTP 503) and ends its
 * streams with it. Nothing was applied and another instance, or this one once
 * restarted, will answer: for the client that is the same as offline (keep the
 * change, retry with backoff), not a failure to show.
 */
export function isServerShuttingDown(error: CombinedError): boolean {
  return errorWithCode(error, 'SHUTTING_DOWN') !== undefined;
}

/** The first of the answer's GraphQL errors that carries `code` in its extensions. */
export function errorWithCode(error: CombinedError, code: string) {
  return error.graphQLErrors.find((e) => e.extensions?.code === code);
}
