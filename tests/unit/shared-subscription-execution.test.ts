/**
 * The shared subscription execution plugin on a tiny schema, no database: one
 * event object delivered to many streams is executed once per distinct
 * (document, operation, variables), each stream still gets the result for its
 * own selection set and variables, an error stays in the streams whose request
 * raised it, and who may subscribe is still decided per subscriber.
 */
import { createSchema, createYoga, Repeater } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { useSharedSubscriptionExecution } from '../../server/plugins/shared-subscription-execution.ts';

interface Ticket {
  n: number;
  label: string;
}

function setUp() {
  const listeners = new Set<(event: { tick: Ticket }) => Promise<unknown>>();
  const calls = { label: 0, n: 0 };
  let released = 0;
  const yoga = createYoga<{ user?: string }>({
    logging: false,
    plugins: [useSharedSubscriptionExecution()],
    context: ({ request }) => ({ user: request.headers.get('x-user') ?? undefined }),
    schema: createSchema<{ user?: string }>({
      typeDefs: /* GraphQL */ `
        type Query { ping: String }
        type Ticket { n: Int!, label(upper: Boolean): String!, fails(when: Boolean): String }
        type Subscription { tick: Ticket! }
      `,
      resolvers: {
        Query: { ping: () => 'pong' },
        Ticket: {
          n: (t: Ticket) => {
            calls.n += 1;
            return t.n;
          },
          label: (t: Ticket, { upper }: { upper?: boolean }) => {
            calls.label += 1;
            return upper ? t.label.toUpperCase() : t.label;
          },
          fails: (_t: Ticket, { when }: { when?: boolean }) => {
            if (when) throw new Error('this field failed');
            return 'fine';
          },
        },
        Subscription: {
          tick: {
            subscribe: (_root, _args, ctx) => {
              if (!ctx.user) throw new Error('no user');
              return new Repeater<{ tick: Ticket }>(async (push, stop) => {
                listeners.add(push);
                await stop;
                listeners.delete(push);
                released += 1;
              });
            },
          },
        },
      },
    }),
  });

  /** Subscribes as the WebSocket server does (server/app.ts): through the enveloped subscribe. */
  async function subscribe(query: string, variables?: Record<string, unknown>, user: string | null = 'ann') {
    const request = new Request('http://gateway/graphql', { headers: user ? { 'x-user': user } : {} });
    const enveloped = yoga.getEnveloped({ request, params: { query, variables } });
    const document = enveloped.parse(query);
    expect(enveloped.validate(enveloped.schema, document)).toEqual([]);
    return (await enveloped.subscribe({
      schema: enveloped.schema,
      document,
      variableValues: variables,
      contextValue: await enveloped.contextFactory(),
    })) as AsyncIterableIterator<ExecutionResult> | ExecutionResult;
  }

  /** The same event object to every open stream, as the sync service does. (A push settles only on the next pull.) */
  function publish(tick: Ticket) {
    const event = { tick };
    for (const push of listeners) void push(event);
  }

  const post = (query: string, variables?: Record<string, unknown>) =>
    yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-user': 'ann' },
      body: JSON.stringify({ query, variables }),
    });

  return { subscribe, publish, post, calls, listeners, released: () => released };
}

function stream(result: AsyncIterableIterator<ExecutionResult> | ExecutionResult) {
  if (!(Symbol.asyncIterator in result)) throw new Error(`not a stream: ${JSON.stringify(result)}`);
  return result;
}

/** Waits until `count` streams are listening (a stream's source starts on its first next()). */
async function listening(listeners: Set<unknown>, count: number) {
  while (listeners.size < count) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('useSharedSubscriptionExecution', () => {
  it('executes an event once for every stream with the same request, and hands them the same result', async () => {
    const { subscribe, publish, calls, listeners } = setUp();
    const streams = await Promise.all([1, 2, 3].map(async () => stream(await subscribe('subscription { tick { n label } }'))));
    const nexts = streams.map((s) => s.next());
    await listening(listeners, 3);
    publish({ n: 1, label: 'one' });
    const results = (await Promise.all(nexts)).map((step) => step.value);
    for (const result of results) expect(result).toEqual({ data: { tick: { n: 1, label: 'one' } } });
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
    expect(calls).toEqual({ n: 1, label: 1 });

    // A new event is a new execution.
    const again = streams.map((s) => s.next());
    publish({ n: 2, label: 'two' });
    for (const step of await Promise.all(again)) expect(step.value).toEqual({ data: { tick: { n: 2, label: 'two' } } });
    expect(calls).toEqual({ n: 2, label: 2 });
    await Promise.all(streams.map((s) => s.return?.()));
  });

  it('gives each selection set and each set of variables its own result of the same event', async () => {
    const { subscribe, publish, calls, listeners } = setUp();
    const labelQuery = 'subscription Labels($upper: Boolean) { tick { label(upper: $upper) } }';
    const streams = [
      stream(await subscribe('subscription { tick { n } }')),
      stream(await subscribe(labelQuery, { upper: true })),
      stream(await subscribe(labelQuery, { upper: false })),
      stream(await subscribe(labelQuery, { upper: true })),
      stream(await subscribe('subscription { tick { n label } }')),
    ];
    const nexts = streams.map((s) => s.next());
    await listening(listeners, streams.length);
    publish({ n: 7, label: 'seven' });
    const results = (await Promise.all(nexts)).map((step) => step.value);
    expect(results).toEqual([
      { data: { tick: { n: 7 } } },
      { data: { tick: { label: 'SEVEN' } } },
      { data: { tick: { label: 'seven' } } },
      { data: { tick: { label: 'SEVEN' } } },
      { data: { tick: { n: 7, label: 'seven' } } },
    ]);
    expect(results[3]).toBe(results[1]);
    // Four distinct requests: `n` in two of them, `label` in three.
    expect(calls).toEqual({ n: 2, label: 3 });
    await Promise.all(streams.map((s) => s.return?.()));
  });

  it('keeps an error in the streams whose request raised it', async () => {
    const { subscribe, publish, listeners } = setUp();
    const query = 'subscription ($when: Boolean) { tick { n fails(when: $when) } }';
    const failing = stream(await subscribe(query, { when: true }));
    const fine = stream(await subscribe(query, { when: false }));
    const nexts = [failing.next(), fine.next()];
    await listening(listeners, 2);
    publish({ n: 3, label: 'three' });
    const [failed, succeeded] = (await Promise.all(nexts)).map((step) => step.value as ExecutionResult);
    expect(failed!.data).toEqual({ tick: { n: 3, fails: null } });
    expect(failed!.errors).toHaveLength(1);
    expect(failed!.errors![0]!.path).toEqual(['tick', 'fails']);
    // yoga's default masking still applies to a shared result.
    expect(failed!.errors![0]!.message).toBe('Unexpected error.');
    expect(succeeded).toEqual({ data: { tick: { n: 3, fails: 'fine' } } });
    await Promise.all([failing.return?.(), fine.return?.()]);
  });

  it('decides per subscriber whether it may subscribe', async () => {
    const { subscribe, publish, listeners } = setUp();
    const refused = await subscribe('subscription { tick { n } }', undefined, null);
    expect(Symbol.asyncIterator in refused).toBe(false);
    expect((refused as ExecutionResult).errors?.[0]?.path).toEqual(['tick']);
    const allowed = stream(await subscribe('subscription { tick { n } }', undefined, 'bob'));
    const next = allowed.next();
    await listening(listeners, 1);
    publish({ n: 4, label: 'four' });
    expect((await next).value).toEqual({ data: { tick: { n: 4 } } });
    await allowed.return?.();
  });

  it('lets go of the source at once when a subscriber leaves while waiting for an event', async () => {
    const { subscribe, listeners, released } = setUp();
    const s = stream(await subscribe('subscription { tick { n } }'));
    const pending = s.next();
    await listening(listeners, 1);
    await s.return?.();
    expect(released()).toBe(1);
    expect(listeners.size).toBe(0);
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('sends the same event text to SSE subscribers, and codes variables that do not coerce', async () => {
    const { post, publish, listeners } = setUp();
    const responses = await Promise.all([post('subscription { tick { n label } }'), post('subscription { tick { n label } }')]);
    const readers = responses.map((r) => r.body!.getReader());
    const texts = readers.map((reader) => readUntil(reader, (text) => text.includes('"tick"')));
    await listening(listeners, 2);
    publish({ n: 5, label: 'five' });
    for (const text of await Promise.all(texts)) {
      expect(text).toContain('event: next\ndata: {"data":{"tick":{"n":5,"label":"five"}}}\n\n');
    }
    await Promise.all(readers.map((reader) => reader.cancel()));

    const bad = await post('subscription ($upper: Boolean) { tick { label(upper: $upper) } }', { upper: 'yes' });
    const text = await readUntil(bad.body!.getReader(), (t) => t.includes('event: complete'));
    const data = JSON.parse(text.split('data: ')[1]!.split('\n')[0]!) as ExecutionResult;
    expect(data.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, until: (text: string) => boolean) {
  const decoder = new TextDecoder();
  let text = '';
  while (!until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}
