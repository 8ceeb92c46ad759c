/**
 * The drain and its yoga plugin on a tiny schema, no database: a mutation held
 * open keeps the drain waiting, new requests get 503 SHUTTING_DOWN meanwhile, an
 * SSE stream ends with a final SHUTTING_DOWN event, and an open stream never
 * holds the drain up. The whole process on PostgreSQL is tested in
 * tests/postgres/shutdown.test.ts.
 */
import { createSchema, createYoga, Repeater } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { endOnShutdown, useShutdown } from '../../server/plugins/shutdown.ts';
import { Drain } from '../../server/shutdown.ts';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function setUp() {
  const drain = new Drain();
  const held = deferred<string>();
  const started = deferred();
  let streamsOpen = 0;
  const yoga = createYoga({
    logging: false,
    plugins: [useShutdown(drain)],
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        type Query { ping: String }
        type Mutation { slow: String }
        type Subscription { ticks: Int }
      `,
      resolvers: {
        Query: { ping: () => 'pong' },
        Mutation: {
          slow: () => {
            started.resolve();
            return held.promise;
          },
        },
        Subscription: {
          ticks: {
            subscribe: () =>
              new Repeater<{ ticks: number }>(async (push, stop) => {
                streamsOpen += 1;
                await push({ ticks: 1 });
                await stop;
                streamsOpen -= 1;
              }),
          },
        },
      },
    }),
  });
  const post = (query: string, accept = 'application/json') =>
    yoga.fetch('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query }) });
  return { drain, yoga, held, started, post, streamsOpen: () => streamsOpen };
}

/** Reads an SSE response until `until` appears in it. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, until: (text: string) => boolean, text = '') {
  const decoder = new TextDecoder();
  while (!until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

/** The data of an SSE text's `next` events, and whether it completed. */
function parseEvents(text: string) {
  const events = text.split('\n\n').filter((block) => block.startsWith('event:'));
  return {
    next: events.filter((e) => e.startsWith('event: next')).map((e) => JSON.parse(e.split('data: ')[1]!)),
    completed: events.some((e) => e.startsWith('event: complete')),
  };
}

describe('useShutdown', () => {
  it('waits for a mutation in flight, answering new requests 503 SHUTTING_DOWN meanwhile', async () => {
    const { drain, held, started, post } = setUp();
    const slow = post('mutation { slow }');
    await started.promise;
    expect(drain.inFlight).toBeGreaterThan(0);

    let drained = false;
    const draining = drain.drain(60_000).then((idle) => ((drained = true), idle));
    const refused = await post('{ ping }');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('connection')).toBe('close');
    expect(await refused.json()).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'SHUTTING_DOWN' } })] });
    expect(drained).toBe(false);

    held.resolve('done');
    expect(await (await slow).json()).toEqual({ data: { slow: 'done' } });
    expect(await draining).toBe(true);
    expect(drain.inFlight).toBe(0);
  });

  it('gives up waiting after the timeout and says so', async () => {
    const { drain, started, post } = setUp();
    void post('mutation { slow }');
    await started.promise;
    expect(await drain.drain(20)).toBe(false);
  });

  it('ends an SSE subscription with a final SHUTTING_DOWN event, then complete; an open stream does not hold the drain', async () => {
    const { drain, post, streamsOpen } = setUp();
    const response = await post('subscription { ticks }', 'text/event-stream');
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await readUntil(reader, (text) => text.includes('"ticks"'));
    expect(await drain.drain(60_000)).toBe(true);
    drain.endStreams();
    const { next, completed } = parseEvents(await readUntil(reader, () => false, first));
    expect(next).toEqual([{ data: { ticks: 1 } }, { errors: [expect.objectContaining({ extensions: { code: 'SHUTTING_DOWN' } })] }]);
    expect(completed).toBe(true);
    expect(streamsOpen()).toBe(0);
  });

  it('refuses a subscription that arrives while draining', async () => {
    const { drain, post } = setUp();
    await drain.drain(0);
    const response = await post('subscription { ticks }', 'text/event-stream');
    expect(response.status).toBe(503);
  });
});

describe('endOnShutdown', () => {
  it('passes values through, and lets go of the source when the consumer stops', async () => {
    let released = false;
    const source = new Repeater<number>(async (push, stop) => {
      await push(1);
      await push(2);
      await stop;
      released = true;
    });
    const stream = endOnShutdown(source, new AbortController().signal);
    expect(await stream.next()).toEqual({ value: 1, done: false });
    expect(await stream.next()).toEqual({ value: 2, done: false });
    await stream.return(undefined);
    expect(released).toBe(true);
  });

  it('ends at once with SHUTTING_DOWN when the signal has already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const stream = endOnShutdown(new Repeater<number>(() => {}), controller.signal);
    const first = await stream.next();
    expect((first.value as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('SHUTTING_DOWN');
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});
