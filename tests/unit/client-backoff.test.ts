/** Exponential backoff with full jitter: bounds, cap, reset. */
import { describe, expect, it } from 'vitest';
import { Backoff, defaultBackoff } from '../../client/lib/backoff.ts';

const ALMOST_ONE = 1 - Number.EPSILON;

describe('Backoff', () => {
  it('waits 0 when the jitter draws 0, at every attempt', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 5_000, random: () => 0 });
    expect(Array.from({ length: 10 }, () => backoff.next())).toEqual(Array(10).fill(0));
  });

  it('waits just under min(cap, base * 2^n) when the jitter draws ~1', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 5_000, random: () => ALMOST_ONE });
    const ceilings = [100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000, 5_000];
    const delays = ceilings.map(() => backoff.next());
    // floor(random * ceiling) with random < 1: one below the ceiling, never above it.
    expect(delays).toEqual(ceilings.map((c) => c - 1));
  });

  it('spreads the wait uniformly over [0, ceiling)', () => {
    const draws = [0.25, 0.5, 0.75];
    let i = 0;
    const backoff = new Backoff({ baseMs: 1_000, capMs: 1_000, random: () => draws[i++ % draws.length]! });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([250, 500, 750]);
  });

  it('stays within the bounds with the real random source', () => {
    const backoff = new Backoff({ baseMs: 10, capMs: 300 });
    for (let n = 0; n < 60; n++) {
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(300, 10 * 2 ** n));
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it('never exceeds the cap, however many failures (no overflow to Infinity or NaN)', () => {
    const backoff = new Backoff({ baseMs: 250, capMs: 30_000, random: () => ALMOST_ONE });
    for (let n = 0; n < 2_000; n++) {
      const delay = backoff.next();
      expect(delay).toBeLessThan(30_000);
      expect(Number.isFinite(delay)).toBe(true);
    }
    expect(backoff.next()).toBe(29_999);
  });

  it('counts attempts and starts over from the base after reset()', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 10_000, random: () => ALMOST_ONE });
    expect(backoff.attempts).toBe(0);
    backoff.next();
    backoff.next();
    backoff.next();
    expect(backoff.attempts).toBe(3);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(99);
    expect(backoff.next()).toBe(199);
  });

  it('defaults to base 250 ms and cap 30 s', () => {
    expect(defaultBackoff).toEqual({ baseMs: 250, capMs: 30_000 });
    const backoff = new Backoff();
    for (let n = 0; n < 20; n++) expect(backoff.next()).toBeLessThan(30_000);
  });
});
