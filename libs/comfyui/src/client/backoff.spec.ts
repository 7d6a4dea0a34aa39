import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('doubles per attempt and stays within half to all of the exponential value', () => {
    expect(backoffDelay(1, 1000, 8000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 8000, () => 1)).toBe(1000);
    expect(backoffDelay(2, 1000, 8000, () => 1)).toBe(2000);
    expect(backoffDelay(3, 1000, 8000, () => 0.5)).toBe(3000);
  });

  it('is capped, and keeps at least half the capped delay under jitter', () => {
    const low = (attempt: number): number => backoffDelay(attempt, 100, 1_000, () => 0);
    const high = (attempt: number): number => backoffDelay(attempt, 100, 1_000, () => 1);

    expect([1, 2, 3, 4, 5, 10].map(high)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect([1, 2, 3, 4, 5, 10].map(low)).toEqual([50, 100, 200, 400, 500, 500]);
    expect(backoffDelay(30, 1000, 8000, () => 1)).toBe(8000);
  });
});
