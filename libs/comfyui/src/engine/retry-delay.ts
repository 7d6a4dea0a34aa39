import type { RetryPolicy } from '../commands/job-command-deps';

/** Exponential backoff with full jitter in the upper half: attempt 1 → ~base, 2 → ~2·base, … capped. */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
