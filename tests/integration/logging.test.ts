import { randomUUID } from 'node:crypto';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../server/logger.ts';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { subscribeChanges, waitFor } from '../helpers/subscribe.ts';
import { newNote, PULL, PUSH } from '../helpers/sync.ts';

const lines: string[] = [];
let gw: TestGateway;
beforeAll(async () => {
  // The most verbose level: whatever any level would write is checked.
  const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
  gw = await startTestGateway({ gateway: { logger } });
});
afterAll(async () => gw?.close());

async function post(body: unknown, headers: Record<string, string>) {
  const response = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { requestId: response.headers.get('x-request-id'), body: (await response.json()) as any };
}

const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('logs', () => {
  it('never contain tokens, variables or record contents, and carry the request id', async () => {
    const jwt = await gw.token(newWorkspace());
    const title = `title-marker-${randomUUID()}`;
    const body = `body-marker-${randomUUID()}`;
    const requestId = `push-${randomUUID()}`;
    const pushed = await post(
      { query: PUSH, operationName: 'Push', variables: { clientId: 'client-a', changes: [newNote({ title, body })] } },
      { authorization: `Bearer ${jwt}`, 'x-request-id': requestId },
    );
    expect(pushed.body.data.pushChanges.results[0].status).toBe('APPLIED');
    expect(pushed.requestId).toBe(requestId);

    const pulled = await post({ query: PULL, variables: { since: null } }, { authorization: `Bearer ${jwt}` });
    const syncToken: string = pulled.body.data.pullChanges.syncToken;
    expect(JSON.stringify(pulled.body)).toContain(title); // the pull did carry the record
    const again = await post({ query: PULL, variables: { since: syncToken } }, { authorization: `Bearer ${jwt}` });
    expect(again.body.errors).toBeUndefined();

    const all = lines.join('\n');
    for (const secret of [title, body, jwt, jwt.split('.')[2]!, syncToken]) expect(all).not.toContain(secret);
    expect(all).not.toContain('client-a'); // a variable
    expect(entries()).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'operation',
        requestId,
        operationName: 'Push',
        operationType: 'mutation',
        durationMs: expect.any(Number),
      }),
    );
    expect(entries().filter((e) => e.requestId === pulled.requestId)).toEqual([
      expect.objectContaining({ operationName: 'Pull', operationType: 'query' }),
    ]);
  });

  it('logs the error codes of a failed operation with its request id', async () => {
    const jwt = await gw.token(newWorkspace());
    const badToken = `not-a-sync-token-${randomUUID()}`;
    const failed = await post({ query: PULL, variables: { since: badToken } }, { authorization: `Bearer ${jwt}` });
    expect(failed.body.errors[0].extensions.code).toBe('BAD_SYNC_TOKEN');
    expect(entries().filter((e) => e.requestId === failed.requestId)).toEqual([
      expect.objectContaining({ operationName: 'Pull', errorCodes: ['BAD_SYNC_TOKEN'] }),
    ]);
    const unparsable = await post({ query: '{ pullChanges(' }, {});
    expect(entries().filter((e) => e.requestId === unparsable.requestId)).toEqual([
      expect.objectContaining({ errorCodes: ['GRAPHQL_PARSE_FAILED'] }),
    ]);
    expect(lines.join('\n')).not.toContain(badToken);
  });

  it('logs a fault once, at level error, with its request id and without the query parameters', async () => {
    const jwt = await gw.token(newWorkspace());
    const parameter = `param-marker-${randomUUID()}`;
    const sync = gw.gateway.sync;
    const pull = sync.pull;
    sync.pull = async () => {
      throw new DrizzleQueryError('select * from change_log where workspace_id = $1', [parameter], new Error('connection lost'));
    };
    let failed;
    try {
      failed = await post({ query: PULL, variables: { since: null } }, { authorization: `Bearer ${jwt}` });
    } finally {
      sync.pull = pull;
    }
    expect(failed.body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(entries().filter((e) => e.level === 'error')).toEqual([
      expect.objectContaining({
        msg: 'operation failed',
        requestId: failed.requestId,
        errorCodes: ['INTERNAL_SERVER_ERROR'],
        err: expect.objectContaining({ type: 'DrizzleQueryError', cause: expect.objectContaining({ message: 'connection lost' }) }),
      }),
    ]);
    expect(lines.join('\n')).not.toContain(parameter);
  });

  it('replaces a request id that is not a plausible id', async () => {
    for (const sent of ['has spaces in it', 'x'.repeat(129), '{"level":"fatal"}']) {
      const { requestId } = await post({ query: '{ __typename }' }, { 'x-request-id': sent });
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    const { requestId } = await post({ query: '{ __typename }' }, {});
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Every HTTP answer carries one, not only GraphQL's.
    expect((await fetch(new URL('/health', gw.url))).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives a WebSocket connection its request id in the upgrade response', async () => {
    const socket = new WebSocket(gw.wsUrl, 'graphql-transport-ws', { headers: { 'x-request-id': 'ws-connection-1' } });
    const echoed = await new Promise<string | string[] | undefined>((resolve, reject) => {
      socket.once('upgrade', (response) => resolve(response.headers['x-request-id']));
      socket.once('error', reject);
    });
    socket.close();
    expect(echoed).toBe('ws-connection-1');
  });

  it('logs a subscription when it ends, on either transport', async () => {
    const jwt = await gw.token(newWorkspace());
    for (const transport of ['sse', 'ws'] as const) {
      const before = entries().filter((e) => e.operationType === 'subscription').length;
      const sub = subscribeChanges(gw, transport, { token: jwt });
      await waitFor(() => sub.batches.length > 0, `the first event over ${transport}`);
      await sub.dispose();
      for (let i = 0; i < 200 && entries().filter((e) => e.operationType === 'subscription').length === before; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const ended = entries().filter((e) => e.operationType === 'subscription');
      expect(ended).toHaveLength(before + 1);
      expect(ended.at(-1)).toMatchObject({ operationName: 'Changes', requestId: expect.any(String) });
    }
    expect(lines.join('\n')).not.toContain(jwt);
  });
});
