import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useBodyLimit } from '../../server/plugins/body-limit.ts';

const LIMIT = 200;
const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { echo(text: String!): Int! }', resolvers: { Query: { echo: (_: unknown, { text }: { text: string }) => text.length } } }),
  plugins: [useBodyLimit(LIMIT)],
  maxRequestBodySize: false,
  logging: false,
});

const bodyOf = (size: number) => {
  const frame = JSON.stringify({ query: 'query($t: String!) { echo(text: $t) }', variables: { t: '' } });
  return JSON.stringify({ query: 'query($t: String!) { echo(text: $t) }', variables: { t: 'x'.repeat(size - frame.length) } });
};

/** A body without Content-Length, sent in chunks, as a chunked upload is; counts what the server pulled from it. */
function streamed(body: string, chunk = 50) {
  const bytes = new TextEncoder().encode(body);
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
  return { stream, pulled: () => offset };
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  yoga.fetch('http://gateway/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);

describe('useBodyLimit', () => {
  it('takes a body of exactly the limit', async () => {
    const body = bodyOf(LIMIT);
    expect(body.length).toBe(LIMIT);
    const response = await post(body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { echo: expect.any(Number) } });
  });

  it('refuses a declared Content-Length over the limit with 413 and REQUEST_TOO_LARGE', async () => {
    const response = await post(bodyOf(LIMIT + 1));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [{ message: `The request body is larger than ${LIMIT} bytes.`, extensions: { code: 'REQUEST_TOO_LARGE' } }],
    });
  });

  it('counts a body without Content-Length as it streams, and stops reading past the limit', async () => {
    const big = streamed(bodyOf(LIMIT * 20));
    const response = await post(big.stream);
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
    // It read at most a few chunks past the limit, not the whole 4000 bytes.
    expect(big.pulled()).toBeLessThan(LIMIT * 3);

    const small = streamed(bodyOf(LIMIT));
    expect((await post(small.stream)).status).toBe(200);
  });

  it('refuses a malformed Content-Length (several values, as in request smuggling)', async () => {
    const request = new Request('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodyOf(100) });
    request.headers.set('content-length', '50, 50');
    const response = await yoga.fetch(request);
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});
