/**
 * Exponential backoff with "equal jitter": half the capped delay is fixed, half random, so
 * clients that failed together do not come back together, yet never retry immediately.
 * `attempt` counts from 1.
 */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const exponential = baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(maxDelayMs, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}
