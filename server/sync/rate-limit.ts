/**
 * Per-client push rate limiting: a token bucket per key (workspace, user,
 * clientId), refilled at `perSecond` up to `burst`. The buckets live in this
 * process's memory: each gateway instance limits on its own, so N instances
 * behind a balancer let a client through up to N times as often.
 *
 * Memory stays bounded: a bucket left alone until it is full again behaves
 * exactly like a new one, so it is dropped; the map is kept in last-use order,
 * which makes that sweep stop at the first bucket still refilling. Past
 * `maxBuckets` (a flood of distinct keys) the least recently used go first, and
 * come back with a full burst.
 */
export interface PushRateOptions {
  perSecond: number;
  burst: number;
  maxBuckets?: number;
  now?: () => number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

const DEFAULT_MAX_BUCKETS = 100_000;

export class PushRateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMs: number;
  readonly #fullAfterMs: number;
  readonly #maxBuckets: number;
  readonly #now: () => number;

  constructor(private readonly options: PushRateOptions) {
    if (!(options.perSecond > 0) || !(options.burst >= 1)) throw new RangeError('perSecond must be above 0 and burst at least 1');
    this.#perMs = options.perSecond / 1000;
    this.#fullAfterMs = options.burst / this.#perMs;
    this.#maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
    this.#now = options.now ?? Date.now;
  }

  /** Takes one push from the key's bucket, or says how long until one is there. */
  take(key: readonly string[]): RateDecision {
    const now = this.#now();
    this.#sweep(now);
    const id = JSON.stringify(key);
    const bucket = this.#buckets.get(id);
    const tokens = bucket ? Math.min(this.options.burst, bucket.tokens + (now - bucket.at) * this.#perMs) : this.options.burst;
    // Re-inserting keeps the map in last-use order.
    this.#buckets.delete(id);
    if (tokens < 1) {
      this.#buckets.set(id, { tokens, at: now });
      return { allowed: false, retryAfterMs: Math.ceil((1 - tokens) / this.#perMs) };
    }
    this.#buckets.set(id, { tokens: tokens - 1, at: now });
    return { allowed: true };
  }

  get size(): number {
    return this.#buckets.size;
  }

  #sweep(now: number) {
    for (const [id, bucket] of this.#buckets) {
      const full = now - bucket.at >= this.#fullAfterMs;
      if (!full && this.#buckets.size < this.#maxBuckets) break;
      this.#buckets.delete(id);
    }
  }
}
