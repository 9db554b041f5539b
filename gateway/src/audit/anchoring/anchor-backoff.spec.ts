import { ANCHOR_BACKOFF, backoffDelay } from './anchor-backoff.js';

describe('backoffDelay', () => {
  it('doubles from 1 s per failure and stops at 60 s, without jitter at the midpoint', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => backoffDelay(n, ANCHOR_BACKOFF, () => 0.5))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('spreads the delay by ±20 % with the random draw', () => {
    expect(backoffDelay(1, ANCHOR_BACKOFF, () => 0)).toBe(800);
    expect(backoffDelay(7, ANCHOR_BACKOFF, () => 0.999_999)).toBe(72_000);
  });
});
