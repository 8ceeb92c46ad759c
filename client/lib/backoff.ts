/**
 * Exponential backoff with full jitter: the n-th retry waits a uniformly random
 * time in [0, min(cap, base * 2^n)]. Jitter spreads the reconnect storm when
 * many clients come back at once; the cap bounds the wait; success resets it.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  random?: () => number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 250, capMs: 30_000 };

export class Backoff {
  #attempt = 0;
  constructor(private readonly options: BackoffOptions = defaultBackoff) {}

  /** The delay before the next retry; each call counts one more failure. */
  next(): number {
    const { baseMs, capMs, random = Math.random } = this.options;
    const ceiling = Math.min(capMs, baseMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return Math.floor(random() * ceiling);
  }

  reset(): void {
    this.#attempt = 0;
  }

  get attempts(): number {
    return this.#attempt;
  }
}
