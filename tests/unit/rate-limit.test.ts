import { describe, expect, it } from 'vitest';
import { PushRateLimiter } from '../../server/sync/rate-limit.ts';

function limiter(options: { perSecond: number; burst: number; maxBuckets?: number }) {
  let now = 1_000_000;
  const rate = new PushRateLimiter({ ...options, now: () => now });
  return { rate, advance: (ms: number) => (now += ms) };
}

describe('PushRateLimiter', () => {
  it('lets a burst through, then one push per 1/perSecond, and says how long to wait', () => {
    const { rate, advance } = limiter({ perSecond: 10, burst: 3 });
    const key = ['ws', 'user', 'client'];
    expect([1, 2, 3].map(() => rate.take(key).allowed)).toEqual([true, true, true]);
    expect(rate.take(key)).toEqual({ allowed: false, retryAfterMs: 100 });
    advance(40);
    // A refused push costs nothing: the wait shrinks as time passes.
    expect(rate.take(key)).toEqual({ allowed: false, retryAfterMs: 60 });
    advance(60);
    expect(rate.take(key).allowed).toBe(true);
    expect(rate.take(key).allowed).toBe(false);
    // Refills never exceed the burst.
    advance(60_000);
    expect([1, 2, 3, 4].map(() => rate.take(key).allowed)).toEqual([true, true, true, false]);
  });

  it('keeps a bucket per (workspace, user, clientId)', () => {
    const { rate } = limiter({ perSecond: 1, burst: 1 });
    expect(rate.take(['ws', 'u', 'a']).allowed).toBe(true);
    expect(rate.take(['ws', 'u', 'a']).allowed).toBe(false);
    expect(rate.take(['ws', 'u', 'b']).allowed).toBe(true);
    expect(rate.take(['ws', 'v', 'a']).allowed).toBe(true);
    expect(rate.take(['ws2', 'u', 'a']).allowed).toBe(true);
    // Keys are joined unambiguously: ("a,b", "c") is not ("a", "b,c").
    expect(rate.take(['a,b', 'c', 'x']).allowed).toBe(true);
    expect(rate.take(['a', 'b,c', 'x']).allowed).toBe(true);
  });

  it('drops buckets that have refilled, so idle clients cost no memory', () => {
    const { rate, advance } = limiter({ perSecond: 10, burst: 5 });
    for (let i = 0; i < 100; i += 1) rate.take(['ws', 'u', `c${i}`]);
    expect(rate.size).toBe(100);
    // Five pushes refill in 500 ms.
    advance(400);
    rate.take(['ws', 'u', 'c0']);
    expect(rate.size).toBe(100);
    advance(200);
    // c0 was used 200 ms ago (not full again yet), the others 600 ms ago.
    rate.take(['ws', 'u', 'fresh']);
    expect(rate.size).toBe(2);
  });

  it('holds at most maxBuckets, dropping the least recently used', () => {
    const { rate } = limiter({ perSecond: 1, burst: 1, maxBuckets: 3 });
    for (const c of ['a', 'b', 'c']) rate.take(['ws', 'u', c]);
    rate.take(['ws', 'u', 'a']); // refused, but now the most recently used
    rate.take(['ws', 'u', 'd']);
    expect(rate.size).toBe(3);
    expect(rate.take(['ws', 'u', 'a']).allowed).toBe(false);
    // b went first and comes back with a full bucket.
    expect(rate.take(['ws', 'u', 'b']).allowed).toBe(true);
  });

  it('refuses a limit that would never let anything through', () => {
    expect(() => new PushRateLimiter({ perSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new PushRateLimiter({ perSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});
