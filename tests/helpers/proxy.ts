/**
 * A controllable TCP proxy between a sync client and the gateway, to simulate
 * the network in Node. Everything the client says (HTTP and the WebSocket) goes
 * through it, so switching it off cuts both.
 *
 * - `online`: bytes are forwarded both ways.
 * - `offline`: every open connection is reset, and new ones are reset as soon as
 *   they are accepted: fetch fails with "fetch failed" (ECONNRESET), the
 *   WebSocket closes with 1006.
 * - `dropResponses`: requests reach the server, but the connection is reset
 *   instead of relaying the answer (the server committed, the client never
 *   knows). `dropWhen` limits it to requests whose text matches (e.g. only
 *   pushes), so a client can still pull and get as far as pushing.
 */
import net from 'node:net';

export type ProxyMode = 'online' | 'offline' | 'dropResponses';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** What the client sent since the server last answered on this connection (the request being answered). */
  request: string;
}

const REQUEST_TEXT_LIMIT = 64 * 1024;

export class TcpProxy {
  readonly #server: net.Server;
  readonly #pairs = new Set<Pair>();
  #mode: ProxyMode = 'online';
  #dropWhen: ((request: string) => boolean) | null = null;
  /** Connections the client opened (accepted or reset). */
  attempts = 0;
  /** Connections reset on arrival because the proxy was offline. */
  refused = 0;
  /** Answers the proxy swallowed in dropResponses mode. */
  dropped = 0;
  /** Requests (their text, as far as `dropWhen` saw it) whose answers were swallowed. */
  readonly droppedRequests: string[] = [];
  port = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  /** A proxy to the host and port of `targetUrl` (e.g. the test gateway's url), listening on a free port. */
  static async start(targetUrl: string): Promise<TcpProxy> {
    const target = new URL(targetUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port));
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy.port = (proxy.#server.address() as net.AddressInfo).port;
    return proxy;
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  /** The gateway's endpoint as seen through the proxy. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/graphql`;
  }

  setMode(mode: ProxyMode, options: { dropWhen?: (request: string) => boolean } = {}) {
    this.#mode = mode;
    this.#dropWhen = mode === 'dropResponses' ? (options.dropWhen ?? null) : null;
    if (mode === 'offline') for (const pair of [...this.#pairs]) this.#kill(pair);
  }

  online() {
    this.setMode('online');
  }

  offline() {
    this.setMode('offline');
  }

  resetCounters() {
    this.attempts = 0;
    this.refused = 0;
    this.dropped = 0;
    this.droppedRequests.length = 0;
  }

  /** Connections currently open through the proxy. */
  get openConnections(): number {
    return this.#pairs.size;
  }

  async close() {
    this.#mode = 'offline';
    for (const pair of [...this.#pairs]) this.#kill(pair);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket) {
    this.attempts += 1;
    client.on('error', () => {});
    if (this.#mode === 'offline') {
      this.refused += 1;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    upstream.on('error', () => {});
    const pair: Pair = { client, upstream, request: '' };
    this.#pairs.add(pair);

    client.on('data', (chunk: Buffer) => {
      if (this.#mode === 'offline') return this.#kill(pair);
      if (pair.request.length < REQUEST_TEXT_LIMIT) pair.request += chunk.toString('latin1');
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.#mode === 'offline') return this.#kill(pair);
      if (this.#mode === 'dropResponses' && (!this.#dropWhen || this.#dropWhen(pair.request))) {
        this.dropped += 1;
        this.droppedRequests.push(pair.request);
        return this.#kill(pair);
      }
      pair.request = '';
      client.write(chunk);
    });
    // A side that finishes normally is passed on normally.
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => this.#kill(pair, false));
    upstream.on('close', () => this.#kill(pair, false));
  }

  /** Cuts both sides; `reset` sends the client an RST (a network failure) rather than a normal close. */
  #kill(pair: Pair, reset = true) {
    if (!this.#pairs.delete(pair)) return;
    if (!pair.client.destroyed) {
      if (reset) pair.client.resetAndDestroy();
      else pair.client.destroy();
    }
    pair.upstream.destroy();
  }
}
