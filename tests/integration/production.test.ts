/**
 * NODE_ENV=production: no GraphiQL, no introspection (over HTTP and WebSocket),
 * no field suggestions, and a fault tells the client nothing but its code.
 */
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { PULL } from '../helpers/sync.ts';

let gw: TestGateway;
beforeAll(async () => (gw = await startTestGateway({ env: { NODE_ENV: 'production' } })));
afterAll(async () => gw?.close());

/** One query over graphql-ws; resolves with what came back. */
async function overWebSocket(token: string, query: string) {
  const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
  try {
    return await new Promise<{ data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }>((resolve, reject) => {
      let result: { data?: unknown; errors?: any[] } = {};
      client.subscribe({ query }, {
        next: (value) => void (result = value as typeof result),
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
        complete: () => resolve(result),
      });
    });
  } finally {
    await client.dispose();
  }
}

describe('production mode', () => {
  it('serves no GraphiQL', async () => {
    const response = await fetch(gw.url, { headers: { accept: 'text/html' } });
    expect(await response.text()).not.toContain('<title>Sync gateway</title>');
  });

  it('refuses introspection over HTTP and WebSocket', async () => {
    const token = await gw.token(newWorkspace());
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Note") { name } }']) {
      const http = await gw.graphql(token, query);
      expect(http.data).toBeUndefined();
      expect(http.errors?.[0]?.message).toMatch(/introspection/i);
      expect(new Set(http.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
      const ws = await overWebSocket(token, query);
      expect(ws.data).toBeUndefined();
      expect(new Set(ws.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    }
    // Ordinary operations still work.
    expect((await gw.graphql(token, PULL)).errors).toBeUndefined();
  });

  it('does not suggest field names', async () => {
    const response = await gw.graphql(await gw.token(newWorkspace()), '{ note { id } }');
    expect(response.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors?.[0]?.message).not.toMatch(/notes/);
  });

  it('masks a fault: INTERNAL_SERVER_ERROR, a generic message, no stack or original error', async () => {
    const token = await gw.token(newWorkspace());
    const fault = vi.spyOn(gw.gateway.sync, 'pull').mockRejectedValue(new Error('password=hunter2 at db.internal:5432'));
    try {
      const response = await fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: PULL }),
      });
      const text = await response.text();
      expect(JSON.parse(text).errors).toEqual([
        expect.objectContaining({ message: 'Unexpected error.', extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' }) }),
      ]);
      expect(text).not.toMatch(/hunter2|db\.internal|stack|originalError/);
    } finally {
      fault.mockRestore();
    }
  });

  it('keeps documented codes and their messages', async () => {
    const response = await gw.graphql(await gw.token(newWorkspace()), PULL, { limit: 5001 });
    expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'PAGE_TOO_LARGE' }, message: expect.stringContaining('5000') });
  });
});
