/**
 * Hostile and broken input, item by item: each gets a clear error with its HTTP
 * status and code, the server stays up, and nothing it had accepted is lost.
 * Runs with the gateway's default limits (the defaults are what is deployed),
 * and push rate limiting on.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../server/auth.ts';
import { newWorkspace, startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../helpers/gateway.ts';
import { subscribeChanges, TRANSPORTS, waitForErrorCodes } from '../helpers/subscribe.ts';
import { newNote, pull, pullAll, PULL, push, PUSH, type ChangeInput } from '../helpers/sync.ts';

const SQL = "'; DROP TABLE notes; --";
const RATE = { perSecond: 1, burst: 3 };

let gw: TestGateway;
let workspace: string;
let token: string;
/** Every change the gateway accepted, by entity id: what a full pull must still show at the end. */
const accepted = new Map<string, { title: string; body: string; clientId: string; mutationId: string }>();

beforeAll(async () => {
  gw = await startTestGateway({ env: { PUSH_RATE_LIMIT: String(RATE.perSecond), PUSH_RATE_BURST: String(RATE.burst) } });
  workspace = newWorkspace();
  token = await gw.token(workspace);
  await accept([newNote({ title: 'before-1', body: 'kept' }), newNote({ title: 'before-2', body: 'kept too' })]);
});
afterAll(async () => gw?.close());

/** Pushes changes that must all be applied, and remembers them. Each push has its own clientId, so rate limiting stays out of the way. */
async function accept(changes: ChangeInput[], clientId = `client-${randomUUID()}`) {
  const results = await push(gw, token, changes, clientId);
  expect(results.map((r) => r.status)).toEqual(changes.map(() => 'APPLIED'));
  for (const change of changes) {
    const data = change.data as { title: string; body: string };
    accepted.set(change.entityId, { title: data.title, body: data.body, clientId, mutationId: change.mutationId });
  }
}

interface Answer {
  status: number;
  body: any;
  codes: (string | undefined)[];
}

/** A raw HTTP request to /graphql, answered as a GraphQL-over-HTTP client asks (application/graphql-response+json). */
async function send(body: BodyInit | null, options: { token?: string | null; contentType?: string; method?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/graphql-response+json' };
  if (options.contentType !== '') headers['content-type'] = options.contentType ?? 'application/json';
  const bearer = options.token === undefined ? token : options.token;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(gw.url, { method: options.method ?? 'POST', headers, body });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  return { status: response.status, body: parsed, codes: (parsed?.errors ?? []).map((e: any) => e.extensions?.code) };
}

const operation = (query: string, variables?: unknown, operationName?: string) => JSON.stringify({ query, variables, operationName });
const pushBody = (changes: unknown[], clientId = `client-${randomUUID()}`) => operation(PUSH, { clientId, changes });

/** One operation over graphql-ws: the errors it ended with, or its result. */
async function overWebSocket(query: string, bearer: string) {
  const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${bearer}` } });
  try {
    return await new Promise<{ data?: unknown; codes: (string | undefined)[] }>((resolve, reject) => {
      let last: { data?: unknown; errors?: any[] } = {};
      client.subscribe({ query }, {
        next: (value) => void (last = value as typeof last),
        error: (error) => (Array.isArray(error) ? resolve({ codes: error.map((e) => e.extensions?.code) }) : reject(error)),
        complete: () => resolve({ data: last.data, codes: (last.errors ?? []).map((e) => e.extensions?.code) }),
      });
    });
  } finally {
    await client.dispose();
  }
}

describe('the HTTP request itself', () => {
  it('invalid JSON body: 400 BAD_REQUEST', async () => {
    const answer = await send('{"query": "{ notes { id } }"');
    expect(answer).toMatchObject({ status: 400, codes: ['BAD_REQUEST'] });
    expect(answer.body.errors[0].message).toMatch(/invalid JSON/);
  });

  it('a JSON body that is not an object: 400 BAD_REQUEST', async () => {
    expect(await send('[1, 2]')).toMatchObject({ status: 400, codes: ['BAD_REQUEST'] });
    expect(await send('"{ notes { id } }"')).toMatchObject({ status: 400, codes: ['BAD_REQUEST'] });
  });

  it('wrong content type: 415 BAD_REQUEST naming the type to send', async () => {
    const answer = await send(operation('{ notes { id } }'), { contentType: 'text/plain' });
    expect(answer).toMatchObject({ status: 415, codes: ['BAD_REQUEST'] });
    expect(answer.body.errors[0].message).toMatch(/application\/json/);
    expect(await send(operation('{ notes { id } }'), { contentType: 'application/xml' })).toMatchObject({ status: 415, codes: ['BAD_REQUEST'] });
  });

  it('no query: 400 BAD_REQUEST', async () => {
    expect(await send(JSON.stringify({ variables: {} }))).toMatchObject({ status: 400, codes: ['BAD_REQUEST'] });
  });

  it('a method other than GET and POST: 405 BAD_REQUEST', async () => {
    expect(await send(operation('{ notes { id } }'), { method: 'PUT' })).toMatchObject({ status: 405, codes: ['BAD_REQUEST'] });
  });

  it('a full batch (1000 notes with a 200-character title and a 1200-character body) fits in the default body limit', async () => {
    const notes = Array.from({ length: 1000 }, (_, i) => ({
      ...newNote({ title: `${i} `.padEnd(200, 't'), body: 'b'.repeat(1200) }),
      data: { title: `${i} `.padEnd(200, 't'), body: 'b'.repeat(1200), pinned: false, folderId: null, tags: ['work', 'home', 'later'], likes: 0 },
    }));
    const clientId = `client-${randomUUID()}`;
    const body = pushBody(notes, clientId);
    console.log(`a push of 1000 such notes is ${body.length} bytes; MAX_BODY_BYTES defaults to ${2 * 1024 * 1024}`);
    const answer = await send(body);
    expect(answer.status).toBe(200);
    expect(answer.body.data.pushChanges.results.every((r: { status: string }) => r.status === 'APPLIED')).toBe(true);
    for (const note of notes) accepted.set(note.entityId, { title: note.data.title, body: note.data.body, clientId, mutationId: note.mutationId });
  });

  it('oversize body: 413 REQUEST_TOO_LARGE, also when it streams without Content-Length', async () => {
    const huge = pushBody([newNote({ body: 'x'.repeat(2 * 1024 * 1024) })]);
    expect(await send(huge)).toMatchObject({ status: 413, codes: ['REQUEST_TOO_LARGE'] });
    const chunks = new TextEncoder().encode(huge);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < chunks.length; i += 64 * 1024) controller.enqueue(chunks.slice(i, i + 64 * 1024));
        controller.close();
      },
    });
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
  });
});

describe('the document', () => {
  it('broken syntax: 400 GRAPHQL_PARSE_FAILED', async () => {
    expect(await send(operation('{ notes { id '))).toMatchObject({ status: 400, codes: ['GRAPHQL_PARSE_FAILED'] });
  });

  it('unknown operation name: 400 BAD_REQUEST', async () => {
    const answer = await send(operation('query Notes { notes { id } } query Folders { folders { id } }', {}, 'Nope'));
    expect(answer).toMatchObject({ status: 400, codes: ['BAD_REQUEST'] });
    // Several operations and no name: the same.
    expect(await send(operation('query Notes { notes { id } } query Folders { folders { id } }'))).toMatchObject({ status: 400, codes: ['BAD_REQUEST'] });
  });

  it('unknown field or argument: 400 GRAPHQL_VALIDATION_FAILED', async () => {
    expect(await send(operation('{ notes { id password } }'))).toMatchObject({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'] });
    expect(await send(operation('{ pullChanges(since: null, where: "1=1") { syncToken } }'))).toMatchObject({
      status: 400,
      codes: ['GRAPHQL_VALIDATION_FAILED'],
    });
  });

  it('wrong argument types, inline or in variables: BAD_USER_INPUT or GRAPHQL_VALIDATION_FAILED', async () => {
    expect(await send(operation('{ pullChanges(limit: "ten") { syncToken } }'))).toMatchObject({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'] });
    expect(await send(operation(PULL, { limit: 'ten' }))).toMatchObject({ status: 400, codes: ['BAD_USER_INPUT'] });
    expect(await send(operation(PULL, { since: { $ne: null } }))).toMatchObject({ status: 400, codes: ['BAD_USER_INPUT'] });
    expect(await send(pushBody([{ ...newNote(), op: 'UPSERT' }]))).toMatchObject({ status: 400, codes: ['BAD_USER_INPUT'] });
    expect(await send(pushBody('not a list' as never))).toMatchObject({ status: 400, codes: ['BAD_USER_INPUT'] });
  });

  it('a deep query: 400 QUERY_TOO_DEEP, over HTTP and WebSocket', async () => {
    const deep = `{ __type(name: "Note") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }`;
    expect(await send(operation(deep))).toMatchObject({ status: 400, codes: ['QUERY_TOO_DEEP'] });
    expect((await overWebSocket(deep, token)).codes).toEqual(['QUERY_TOO_DEEP']);
  });

  it('a wide query: 400 QUERY_TOO_COMPLEX; too many aliases: 400 TOO_MANY_ALIASES; too many tokens: 400 TOO_MANY_TOKENS', async () => {
    const fields = 'id version updatedAt deleted title body pinned folderId tags likes';
    const wide = `{ pullChanges { changes { record { ...N ${'...N '.repeat(200)} } } } } fragment N on Note { ${fields} }`;
    expect(await send(operation(wide))).toMatchObject({ status: 400, codes: ['QUERY_TOO_COMPLEX'] });
    expect((await overWebSocket(wide, token)).codes).toEqual(['QUERY_TOO_COMPLEX']);
    const aliases = `{ ${Array.from({ length: 100 }, (_, i) => `n${i}: notes { id }`).join(' ')} }`;
    expect(await send(operation(aliases))).toMatchObject({ status: 400, codes: ['TOO_MANY_ALIASES'] });
    const tokens = `{ notes { ${'id '.repeat(5000)} } }`;
    expect(await send(operation(tokens))).toMatchObject({ status: 400, codes: ['TOO_MANY_TOKENS'] });
    expect((await overWebSocket(tokens, token)).codes).toEqual(['TOO_MANY_TOKENS']);
  });
});

describe('credentials and sync tokens', () => {
  it('missing, forged, truncated, expired and claimless JWTs: UNAUTHENTICATED', async () => {
    const forged = await signToken('another-secret-another-secret-another-secret', { workspaceId: workspace, userId: 'u' });
    const expired = await signToken(TEST_JWT_SECRET, { workspaceId: workspace, userId: 'u' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const claimless = await new SignJWT({ workspace }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const noneAlg = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u', workspace })).toString('base64url')}.`;
    for (const bearer of [null, forged, token.slice(0, -10), expired, claimless, noneAlg, `${token}${SQL}`]) {
      expect(await send(operation(PULL), { token: bearer }), String(bearer)).toMatchObject({ status: 200, codes: ['UNAUTHENTICATED'] });
      expect(await send(pushBody([newNote()]), { token: bearer })).toMatchObject({ status: 200, codes: ['UNAUTHENTICATED'] });
    }
  });

  it('forged, truncated and foreign-workspace sync tokens: BAD_SYNC_TOKEN', async () => {
    const { syncToken } = await pull(gw, token);
    const [prefix, , signature] = syncToken.split('.');
    const forged = `${prefix}.${Buffer.from(JSON.stringify([workspace, 0])).toString('base64url')}.${signature}`;
    const foreign = (await pull(gw, await gw.token(newWorkspace()))).syncToken;
    for (const since of [forged, syncToken.slice(0, -5), foreign, SQL, '']) {
      expect(await send(operation(PULL, { since })), since).toMatchObject({ status: 200, codes: ['BAD_SYNC_TOKEN'] });
    }
  });

  for (const transport of TRANSPORTS) {
    it(`a subscription (${transport}) with an expired or forged JWT, or a forged sync token, ends with its code`, async () => {
      const expired = await signToken(TEST_JWT_SECRET, { workspaceId: workspace, userId: 'u' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
      const forged = await signToken('another-secret-another-secret-another-secret', { workspaceId: workspace, userId: 'u' });
      const { syncToken } = await pull(gw, token);
      const forgedSince = `${syncToken.slice(0, -2)}xx`;
      const cases: [Parameters<typeof subscribeChanges>[2], string][] = [
        [{ token: expired }, 'UNAUTHENTICATED'],
        [{ token: forged }, 'UNAUTHENTICATED'],
        [{ token: null }, 'UNAUTHENTICATED'],
        [{ token, since: forgedSince }, 'BAD_SYNC_TOKEN'],
      ];
      for (const [options, code] of cases) {
        const sub = subscribeChanges(gw, transport, options);
        try {
          expect(await waitForErrorCodes(sub)).toEqual([code]);
          expect(sub.batches).toEqual([]);
        } finally {
          await sub.dispose();
        }
      }
    });
  }
});

describe('the changes of a push', () => {
  it('unknown entity type or field: REJECTED per change, the rest of the batch applies', async () => {
    const good = newNote({ title: 'next to bad ones' });
    const results = await push(gw, token, [
      { ...newNote(), entityType: 'Users' },
      { ...newNote(), entityType: SQL },
      { ...newNote(), data: { title: 't', body: 'b', pinned: false, isAdmin: true } },
      good,
    ], `client-${randomUUID()}`);
    expect(results.map((r) => [r.status, r.error?.code ?? null])).toEqual([
      ['REJECTED', 'UNKNOWN_ENTITY_TYPE'],
      ['REJECTED', 'UNKNOWN_ENTITY_TYPE'],
      ['REJECTED', 'UNKNOWN_FIELD'],
      ['APPLIED', null],
    ]);
    accepted.set(good.entityId, { title: 'next to bad ones', body: '', clientId: '', mutationId: good.mutationId });
  });

  it('SQL-looking strings: INVALID_ID in an entityId; stored verbatim in clientId, mutationId and data', async () => {
    const clientId = `${SQL} ${randomUUID()}`;
    const [rejected] = await push(gw, token, [{ ...newNote(), entityId: SQL }], clientId);
    expect([rejected.status, rejected.error.code]).toEqual(['REJECTED', 'INVALID_ID']);
    const note = { ...newNote({ title: SQL, body: `${SQL}\\x00 ' " \`; SELECT pg_sleep(10); --` }), mutationId: `${SQL} ${randomUUID()}` };
    await accept([note], clientId);
    const change = (await pullAll(gw, token)).changes.find((c) => c.entityId === note.entityId);
    expect(change).toMatchObject({ clientId, mutationId: note.mutationId, record: { title: SQL, body: (note.data as { body: string }).body } });
    // And the table is still there.
    expect((await send(operation('{ notes { id } }'))).status).toBe(200);
  });

  it('duplicate mutation ids inside one batch: the second is DUPLICATE, applied once', async () => {
    const first = newNote({ title: 'once' });
    const again = { ...newNote({ title: 'twice?' }), mutationId: first.mutationId };
    const clientId = `client-${randomUUID()}`;
    const results = await push(gw, token, [first, again], clientId);
    expect(results.map((r) => r.status)).toEqual(['APPLIED', 'DUPLICATE']);
    expect(results[1].record).toMatchObject({ id: first.entityId, title: 'once' });
    accepted.set(first.entityId, { title: 'once', body: '', clientId, mutationId: first.mutationId });
    const changes = (await pullAll(gw, token)).changes.filter((c) => c.mutationId === first.mutationId);
    expect(changes).toHaveLength(1);
  });

  it('oversize batch: BATCH_TOO_LARGE, nothing of it applied', async () => {
    const batch = Array.from({ length: 1001 }, () => newNote({ title: 'never' }));
    const answer = await send(pushBody(batch));
    expect(answer).toMatchObject({ status: 200, codes: ['BATCH_TOO_LARGE'] });
    expect((await pullAll(gw, token)).changes.some((c) => c.record.title === 'never')).toBe(false);
  });

  it(`too many pushes from one client: RATE_LIMITED with retryAfterMs, nothing of it applied`, async () => {
    const clientId = `client-${randomUUID()}`;
    for (let i = 0; i < RATE.burst; i += 1) await accept([newNote({ title: `burst ${i}` })], clientId);
    const refused = newNote({ title: 'over the limit' });
    const answer = await send(pushBody([refused], clientId));
    expect(answer).toMatchObject({ status: 200, codes: ['RATE_LIMITED'] });
    expect(answer.body.errors[0].extensions.retryAfterMs).toBeGreaterThan(0);
    expect(answer.body.errors[0].extensions.retryAfterMs).toBeLessThanOrEqual(1000 / RATE.perSecond);
    // Another client of the same user is not held back.
    await accept([newNote({ title: 'another client' })]);
    expect((await pullAll(gw, token)).changes.some((c) => c.entityId === refused.entityId)).toBe(false);
  });
});

describe('afterwards', () => {
  it('the server still answers, and every accepted note is intact', async () => {
    const { changes } = await pullAll(gw, token);
    const notes = new Map(changes.filter((c) => c.entityType === 'Note').map((c) => [c.entityId, c]));
    expect(notes.size).toBe(accepted.size);
    for (const [id, expected] of accepted) {
      const change = notes.get(id);
      expect(change, id).toBeDefined();
      expect(change.record).toMatchObject({ id, version: 1, deleted: false, title: expected.title, body: expected.body });
      expect(change.mutationId).toBe(expected.mutationId);
    }
    expect(await send(operation('{ notes { id } }'))).toMatchObject({ status: 200, codes: [] });
  });
});
