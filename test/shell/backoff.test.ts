import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay } from '../../src/time.js';

const options = { minDelay: 100, maxDelay: 5_000, factor: 2, jitter: true };

describe('backoff', () => {
  it('doubles the ceiling per retry up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((retry) => backoffCeiling(retry, options))).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it('draws every delay in [0, ceiling) with full jitter', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, draw) => {
        const delay = backoffDelay(retry, options, () => draw);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.max(1, backoffCeiling(retry, options)));
        expect(Number.isInteger(delay)).toBe(true);
      }),
    );
  });

  it('waits the ceiling itself without jitter', () => {
    expect(backoffDelay(3, { ...options, jitter: false }, () => 0)).toBe(800);
  });
});
