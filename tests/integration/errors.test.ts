import { sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../server/auth.ts';
import { newWorkspace, startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../helpers/gateway.ts';
import { newNote, pull, PULL, push, PUSH } from '../helpers/sync.ts';

let gw: TestGateway;
beforeAll(async () => (gw = await startTestGateway({ limits: { maxBatchSize: 50 } })));
afterAll(async () => gw?.close());

async function codeOf(token: string | null, query: string, variables?: Record<string, unknown>) {
  const response = await gw.graphql(token, query, variables);
  expect(response.errors, JSON.stringify(response)).toBeDefined();
  return response.errors!.map((e) => e.extensions?.code);
}

async function rawRequest(token: string | null, query: string, variables?: unknown) {
  const response = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
}

describe('error codes', () => {
  it('UNAUTHENTICATED: missing, malformed, forged, expired and claimless tokens', async () => {
    const workspace = newWorkspace();
    expect(await codeOf(null, PULL)).toEqual(['UNAUTHENTICATED']);
    expect((await rawRequest('Basic dXNlcjpwYXNz', PULL)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await codeOf('not-a-jwt', PULL)).toEqual(['UNAUTHENTICATED']);
    const forged = await signToken('another-secret-another-secret-another-secret', { workspaceId: workspace, userId: 'u' });
    expect(await codeOf(forged, PULL)).toEqual(['UNAUTHENTICATED']);
    const expired = await signToken(TEST_JWT_SECRET, { workspaceId: workspace, userId: 'u' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const expiredErrors = await gw.graphql(expired, PULL);
    expect(expiredErrors.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringContaining('expired') });
    const noWorkspace = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u').sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expect(await codeOf(noWorkspace, PULL)).toEqual(['UNAUTHENTICATED']);
    const noneAlg = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u', workspace })).toString('base64url')}.`;
    expect(await codeOf(noneAlg, PULL)).toEqual(['UNAUTHENTICATED']);
    expect(await codeOf(null, PUSH, { clientId: 'c', changes: [newNote()] })).toEqual(['UNAUTHENTICATED']);
  });

  it('BAD_USER_INPUT: arguments of the wrong type or out of range', async () => {
    const token = await gw.token(newWorkspace());
    expect(await codeOf(token, PULL, { limit: 'ten' })).toEqual(['BAD_USER_INPUT']);
    expect(await codeOf(token, PULL, { limit: 0 })).toEqual(['BAD_USER_INPUT']);
    expect(await codeOf(token, PUSH, { clientId: 'c', changes: [{ ...newNote(), op: 'UPSERT' }] })).toEqual(['BAD_USER_INPUT']);
    expect(await codeOf(token, PUSH, { clientId: 'c', changes: [{ ...newNote(), mutationId: undefined }] })).toEqual(['BAD_USER_INPUT']);
    expect(await codeOf(token, PUSH, { clientId: 'c', changes: [{ ...newNote(), baseVersion: 'one' }] })).toEqual(['BAD_USER_INPUT']);
    expect(await codeOf(token, PUSH, { clientId: '', changes: [newNote()] })).toEqual(['BAD_USER_INPUT']);
  });

  it('BAD_SYNC_TOKEN: malformed, forged, from another workspace, or past the end of the log', async () => {
    const workspace = newWorkspace();
    const token = await gw.token(workspace);
    await push(gw, token, [newNote()]);
    const { syncToken } = await pull(gw, token);
    expect(await codeOf(token, PULL, { since: 'garbage' })).toEqual(['BAD_SYNC_TOKEN']);
    expect(await codeOf(token, PULL, { since: syncToken.slice(0, -4) })).toEqual(['BAD_SYNC_TOKEN']);
    const [prefix, , signature] = syncToken.split('.');
    const edited = `${prefix}.${Buffer.from(JSON.stringify([workspace, 0])).toString('base64url')}.${signature}`;
    expect(await codeOf(token, PULL, { since: edited })).toEqual(['BAD_SYNC_TOKEN']);

    const otherToken = await gw.token(newWorkspace());
    expect(await codeOf(otherToken, PULL, { since: syncToken })).toEqual(['BAD_SYNC_TOKEN']);
    // A signed token of the other workspace is no key to this one either.
    const foreign = (await pull(gw, otherToken)).syncToken;
    expect(await codeOf(token, PULL, { since: foreign })).toEqual(['BAD_SYNC_TOKEN']);
  });

  it('BAD_SYNC_TOKEN: a token ahead of the log, as after restoring an older backup', async () => {
    const workspace = newWorkspace();
    const token = await gw.token(workspace);
    await push(gw, token, [newNote(), newNote()]);
    const { syncToken } = await pull(gw, token);
    // Simulate the restore: the log and counter go back to before those changes.
    await gw.database.db.execute(sql`delete from change_log where workspace_id = ${workspace}`);
    await gw.database.db.execute(sql`update sync_workspaces set last_seq = 0 where id = ${workspace}`);
    expect(await codeOf(token, PULL, { since: syncToken })).toEqual(['BAD_SYNC_TOKEN']);
  });

  it('BATCH_TOO_LARGE: refuses the whole oversize batch and applies none of it', async () => {
    const token = await gw.token(newWorkspace());
    const changes = Array.from({ length: 51 }, () => newNote());
    expect(await codeOf(token, PUSH, { clientId: 'c', changes })).toEqual(['BATCH_TOO_LARGE']);
    expect((await pull(gw, token)).changes).toEqual([]);
    expect((await push(gw, token, changes.slice(0, 50))).every((r) => r.status === 'APPLIED')).toBe(true);
  });

  it('PAGE_TOO_LARGE: a limit above the maximum page', async () => {
    const token = await gw.token(newWorkspace());
    expect(await codeOf(token, PULL, { limit: 5001 })).toEqual(['PAGE_TOO_LARGE']);
  });

  it('GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED for broken documents', async () => {
    const token = await gw.token(newWorkspace());
    expect(await codeOf(token, '{ pullChanges { syncToken ')).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(await codeOf(token, '{ pullChanges { nope } }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('keeps serving and loses nothing already accepted after bad input', async () => {
    const token = await gw.token(newWorkspace());
    const kept = newNote({ title: 'kept' });
    await push(gw, token, [kept]);
    await codeOf(token, PULL, { since: 'garbage' });
    await codeOf(token, PUSH, { clientId: 'c', changes: Array.from({ length: 51 }, () => newNote()) });
    await codeOf(null, PULL);
    const { changes } = await pull(gw, token);
    expect(changes.map((c) => c.record.title)).toEqual(['kept']);
  });
});
