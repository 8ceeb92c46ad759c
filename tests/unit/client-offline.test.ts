/** Telling "the network is unreachable" (keep the change, retry) from "the server answered" (act on the answer). */
import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isOfflineCause, isOfflineError } from '../../client/lib/offline.ts';
import { classifyStreamError } from '../../client/lib/sync-client.ts';

const shuttingDown = () => new GraphQLError('The gateway is shutting down.', { extensions: { code: 'SHUTTING_DOWN' } });

function nodeFetchFailure(code: string) {
  // What undici's fetch throws: TypeError('fetch failed') with the socket error as cause.
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code }) });
}

afterEach(() => vi.unstubAllGlobals());

describe('isOfflineError', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'])(
    "is true for Node's fetch failure with cause %s",
    (code) => {
      expect(isOfflineError(new CombinedError({ networkError: nodeFetchFailure(code) }))).toBe(true);
    },
  );

  it("is true for Node's fetch failure whose cause is a plain object with the code", () => {
    const error = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    expect(isOfflineError(new CombinedError({ networkError: error }))).toBe(true);
  });

  it("is true for the browsers' messages", () => {
    for (const message of ['Failed to fetch', 'NetworkError when attempting to fetch resource.', 'Load failed']) {
      expect(isOfflineError(new CombinedError({ networkError: new TypeError(message) })), message).toBe(true);
    }
  });

  it('is true for a socket closed while waiting for the answer', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(isOfflineError(new CombinedError({ networkError: error }))).toBe(true);
  });

  it('is false when the server answered with an HTTP error (status 500)', () => {
    const response = new Response('Internal Server Error', { status: 500 });
    const error = new CombinedError({ networkError: new Error('Internal Server Error'), response });
    expect(isOfflineError(error)).toBe(false);
  });

  it('is false when an HTTP response came back, even if the message looks like a network failure', () => {
    const response = new Response('bad gateway', { status: 502 });
    expect(isOfflineError(new CombinedError({ networkError: new TypeError('Failed to fetch'), response }))).toBe(false);
  });

  it('is true for a gateway shutting down (503 SHUTTING_DOWN): nothing was applied, so keep the change and retry', () => {
    const response = new Response('{}', { status: 503 });
    expect(isOfflineError(new CombinedError({ graphQLErrors: [shuttingDown()], response }))).toBe(true);
  });

  it('is false for GraphQL errors', () => {
    const error = new CombinedError({ graphQLErrors: [new GraphQLError('Not authenticated', { extensions: { code: 'UNAUTHENTICATED' } })] });
    expect(isOfflineError(error)).toBe(false);
  });

  it('is false for no error and for an unrelated network error', () => {
    expect(isOfflineError(undefined)).toBe(false);
    expect(isOfflineError(new CombinedError({ networkError: new SyntaxError('Unexpected token < in JSON') }))).toBe(false);
  });

  it('is true for any network error while the browser says it is offline', () => {
    vi.stubGlobal('navigator', { onLine: false });
    expect(isOfflineError(new CombinedError({ networkError: new Error('anything') }))).toBe(true);
    // ...but an HTTP answer is still an answer, and GraphQL errors are not network errors.
    expect(isOfflineError(new CombinedError({ networkError: new Error('x'), response: new Response('', { status: 500 }) }))).toBe(false);
    expect(isOfflineError(new CombinedError({ graphQLErrors: [new GraphQLError('no')] }))).toBe(false);
  });
});

describe('isOfflineCause', () => {
  it('follows the cause chain a few levels deep', () => {
    const deep = new Error('outer', { cause: new Error('middle', { cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' }) }) });
    expect(isOfflineCause(deep)).toBe(true);
  });

  it('recognises a WebSocket-level failure message', () => {
    expect(isOfflineCause(new Error('socket hang up'))).toBe(true);
    expect(isOfflineCause(new Error('connect ECONNREFUSED 127.0.0.1:4000'))).toBe(true);
  });

  it('is false for other errors and for nothing', () => {
    expect(isOfflineCause(new Error('Unexpected end of JSON input'))).toBe(false);
    expect(isOfflineCause(undefined)).toBe(false);
    expect(isOfflineCause(null)).toBe(false);
  });

  it('does not loop forever on a cyclic cause chain', () => {
    const a: { message: string; cause?: unknown } = { message: 'a' };
    a.cause = a;
    expect(isOfflineCause(a)).toBe(false);
  });
});

describe('classifyStreamError (how the live stream ended)', () => {
  it("is offline (reconnect with backoff) for a gateway's shutdown: WebSocket close 1012, or a final SHUTTING_DOWN error", () => {
    const serviceRestart = { type: 'close', code: 1012, reason: 'Service Restart', wasClean: true };
    expect(classifyStreamError(new CombinedError({ networkError: serviceRestart as never }))).toBe('offline');
    expect(classifyStreamError(new CombinedError({ graphQLErrors: [shuttingDown()] }))).toBe('offline');
  });

  it('is badToken for BAD_SYNC_TOKEN and failed for other GraphQL errors', () => {
    const badToken = new GraphQLError('bad token', { extensions: { code: 'BAD_SYNC_TOKEN' } });
    expect(classifyStreamError(new CombinedError({ graphQLErrors: [badToken] }))).toBe('badToken');
    const other = new GraphQLError('boom', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(classifyStreamError(new CombinedError({ graphQLErrors: [other] }))).toBe('failed');
  });
});
