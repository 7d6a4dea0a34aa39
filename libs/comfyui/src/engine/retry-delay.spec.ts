import { retryDelayMs } from './retry-delay';

const policy = { maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 8000 };

describe('retryDelayMs', () => {
  it('doubles per attempt and stays within half to all of the exponential value', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1000);
    expect(retryDelayMs(2, policy, () => 1)).toBe(2000);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(3000);
  });

  it('never exceeds the cap', () => {
    expect(retryDelayMs(30, policy, () => 1)).toBe(8000);
  });
});
