/**
 * The subscribers of the live measurement, in a process of their own so their
 * work does not run on the gateway's or the bench's event loop. Driven by the
 * bench over IPC:
 *
 *   open  {url, headers, body, count}  opens `count` SSE streams (node:http, one
 *                                      socket each); answers once every stream
 *                                      has its first event
 *   wait  {events}                     answers once every stream has received
 *                                      `events` events after its first
 *   collect                            answers with the latencies so far and one
 *                                      event's text
 *   close                              closes every stream
 *
 * Latency = the time an event's bytes arrive − the `updatedAt` it carries (the
 * same machine clock). It is taken before anything parses the event.
 */
import http from 'node:http';

type Command =
  | { type: 'open'; url: string; headers: Record<string, string>; body: string; count: number }
  | { type: 'wait'; events: number; timeoutMs: number }
  | { type: 'collect' }
  | { type: 'close' };

interface Stream {
  request: http.ClientRequest;
  buffer: string;
  /** Events with data, the first (catch-up or hello) included. */
  events: number;
}

const nowMs = () => performance.timeOrigin + performance.now();
const UPDATED_AT = /"updatedAt":"([^"]+)"/;

let streams: Stream[] = [];
let latencies: number[] = [];
let sample: string | null = null;
/** How many streams have received at least n events. */
const reached = new Map<number, number>();
const waiters = new Set<{ events: number; done: () => void }>();

function send(message: unknown) {
  process.send!(message);
}

function onEvent(stream: Stream, text: string, arrivedAt: number) {
  if (!text.includes('data:')) return; // a keep-alive comment
  stream.events += 1;
  reached.set(stream.events, (reached.get(stream.events) ?? 0) + 1);
  if (stream.events > 1) {
    const match = UPDATED_AT.exec(text);
    if (match) latencies.push(arrivedAt - Date.parse(match[1]!));
    sample ??= `${text}\n\n`;
  }
  for (const waiter of waiters) {
    if ((reached.get(waiter.events + 1) ?? 0) >= streams.length) waiter.done();
  }
}

function openStream(url: URL, headers: Record<string, string>, body: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      // One socket per stream, never pooled: 1,000 streams are 1,000 connections.
      agent: false,
    });
    const stream: Stream = { request, buffer: '', events: 0 };
    request.on('response', (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`stream answered ${response.statusCode}`));
        response.resume();
        return;
      }
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const arrivedAt = nowMs();
        stream.buffer += chunk;
        let end: number;
        while ((end = stream.buffer.indexOf('\n\n')) !== -1) {
          const text = stream.buffer.slice(0, end);
          stream.buffer = stream.buffer.slice(end + 2);
          onEvent(stream, text, arrivedAt);
          if (stream.events === 1) resolve(stream);
        }
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function open(command: Extract<Command, { type: 'open' }>) {
  const url = new URL(command.url);
  const opened: Stream[] = [];
  // A few at a time: a thousand simultaneous connects would measure the accept queue.
  const parallel = 25;
  for (let i = 0; i < command.count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, command.count - i) }, () => openStream(url, command.headers, command.body));
    opened.push(...(await Promise.all(batch)));
  }
  streams = opened;
  latencies = [];
  sample = null;
}

function wait(command: Extract<Command, { type: 'wait' }>): Promise<number> {
  return new Promise((resolve) => {
    const missing = () => streams.filter((s) => s.events < command.events + 1).length;
    if (missing() === 0) return resolve(0);
    const waiter = {
      events: command.events,
      done: () => {
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(0);
      },
    };
    const timer = setTimeout(() => {
      waiters.delete(waiter);
      resolve(missing());
    }, command.timeoutMs);
    waiters.add(waiter);
  });
}

function close() {
  for (const stream of streams) stream.request.destroy();
  streams = [];
  reached.clear();
}

process.on('message', (command: Command) => {
  void (async () => {
    try {
      switch (command.type) {
        case 'open':
          await open(command);
          return send({ type: 'opened', count: streams.length });
        case 'wait':
          return send({ type: 'waited', missing: await wait(command) });
        case 'collect':
          return send({ type: 'collected', latencies, sample });
        case 'close':
          close();
          return send({ type: 'closed' });
      }
    } catch (error) {
      send({ type: 'error', message: String(error) });
    }
  })();
});
// The bench going away ends this process too.
process.on('disconnect', () => process.exit(0));
