/**
 * The network between one simulated client and the gateway: a wrapper around
 * fetch that loses, repeats and replays requests as the generated case says.
 *
 * Every answer the server gives is handed to the wiretap, also when the client
 * never gets it: the server did commit, so what it answered is part of the truth
 * the model checks the final state against.
 */
import type { Trace } from './trace.ts';

export const FAULTS = ['none', 'dropRequest', 'dropResponse', 'deliverTwice'] as const;
/**
 * none: delivered once, answered once.
 * dropRequest: lost on the way, the server never sees it.
 * dropResponse: the server commits, the answer is lost.
 * deliverTwice: the network delivers the request twice; the client gets the second answer.
 */
export type Fault = (typeof FAULTS)[number];

/** The request did not come back with an answer (lost, or the client is offline). */
export class NetworkError extends Error {}

export interface GraphQLBody {
  query: string;
  variables: Record<string, unknown>;
}

export interface GraphQLAnswer<T = any> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export type Wiretap = (request: GraphQLBody, answer: GraphQLAnswer) => void;

export class FaultyTransport {
  online = true;
  /** Every push this client sent or tried to send, for stale replays. */
  private readonly pushes: GraphQLBody[] = [];

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly wiretap: Wiretap,
    private readonly trace: Trace,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Sends one request through the faulty network; throws NetworkError when no answer reaches the client. */
  async request<T>(body: GraphQLBody, fault: Fault, options: { replayable?: boolean } = {}): Promise<T> {
    if (options.replayable) this.pushes.push(body);
    if (!this.online) {
      this.trace.log('      ✗ offline: not sent');
      throw new NetworkError('offline');
    }
    switch (fault) {
      case 'dropRequest':
        this.trace.log('      ✗ request lost');
        throw new NetworkError('request lost');
      case 'dropResponse':
        await this.deliver(body);
        this.trace.log('      ✗ server answered, answer lost');
        throw new NetworkError('response lost');
      case 'deliverTwice':
        await this.deliver(body);
        this.trace.log('      ↻ delivered twice, the client gets the second answer');
        return this.deliver(body);
      case 'none':
        return this.deliver(body);
    }
  }

  /** Delivers an earlier push again, late: a copy the network held back. Nobody waits for its answer. */
  async replayStalePush(pick: number): Promise<boolean> {
    if (this.pushes.length === 0) return false;
    const index = pick % this.pushes.length;
    this.trace.log(`      ↻ push #${index} of this client delivered again, late`);
    await this.deliver(this.pushes[index]!);
    return true;
  }

  get pushCount(): number {
    return this.pushes.length;
  }

  private async deliver<T>(body: GraphQLBody): Promise<T> {
    const response = await this.fetchImpl(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${this.token}`,
      },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as GraphQLAnswer<T>;
    this.wiretap(body, answer);
    // A GraphQL error is the server failing, not the network: the case fails on it.
    if (answer.errors?.length || !answer.data) {
      throw new Error(`the gateway answered with errors: ${JSON.stringify(answer.errors)}`);
    }
    return answer.data;
  }
}
