import { GraphQLError } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { errorMasking } from '../../server/plugins/error-masking.ts';

const schema = createSchema({
  typeDefs: 'type Query { fault: Int, documented: Int, foreign: Int, fine: Int }',
  resolvers: {
    Query: {
      fault: () => {
        throw new Error('connection to 10.0.0.5 refused');
      },
      documented: () => {
        throw new GraphQLError('limit is at most 5000', { extensions: { code: 'PAGE_TOO_LARGE' } });
      },
      foreign: () => {
        throw new GraphQLError('a library said no', { extensions: { code: 'SOME_LIBRARY_CODE' } });
      },
      fine: () => 1,
    },
  },
});

async function run(query: string, exposeDetails: boolean, body?: string) {
  const yoga = createYoga({ schema, maskedErrors: errorMasking({ exposeDetails }), logging: false });
  const response = await yoga.fetch('http://gateway/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: body ?? JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

describe('errorMasking', () => {
  for (const exposeDetails of [false, true]) {
    it(`passes documented codes through with their message (exposeDetails: ${exposeDetails})`, async () => {
      const { body } = await run('{ documented fine }', exposeDetails);
      expect(body.errors).toEqual([
        { message: 'limit is at most 5000', locations: [{ line: 1, column: 3 }], path: ['documented'], extensions: { code: 'PAGE_TOO_LARGE' } },
      ]);
      expect(body.data).toEqual({ documented: null, fine: 1 });
    });
  }

  it('masks a thrown Error and an undocumented code as INTERNAL_SERVER_ERROR, with nothing of the original', async () => {
    const { body } = await run('{ fault foreign }', false);
    expect(body.errors).toHaveLength(2);
    for (const error of body.errors) {
      expect(error.message).toBe('Unexpected error.');
      expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(error)).not.toMatch(/10\.0\.0\.5|library|stack|originalError/);
    }
  });

  it('shows the original message and stack of a fault outside production', async () => {
    const { body } = await run('{ fault foreign }', true);
    expect(body.errors.map((e: any) => e.extensions.code)).toEqual(['INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR']);
    expect(body.errors[0].extensions.originalError).toMatchObject({ message: 'connection to 10.0.0.5 refused', stack: expect.any(String) });
    expect(body.errors[1].extensions.originalError).toEqual({ message: 'a library said no', code: 'SOME_LIBRARY_CODE' });
  });

  it('keeps GraphQL-js request errors and the HTTP layer\'s client errors, which say what is wrong with the request', async () => {
    const invalid = await run('{ nope }', false);
    expect(invalid.body.errors[0].message).toMatch(/Cannot query field "nope"/);
    const badJson = await run('', false, '{"query": ');
    expect(badJson.status).toBe(400);
    // yoga adds the JSON parser's exception: not in production.
    expect(badJson.body.errors).toEqual([{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST' } }]);
    expect((await run('', true, '{"query": ')).body.errors[0].extensions.originalError).toBeDefined();
  });
});
