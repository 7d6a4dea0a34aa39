import { CliError } from '../errors';
import { rankByCloseness } from './closest-match';

/**
 * Fails with every checkpoint the spec names that the server does not offer, each followed by the
 * available ones, closest first. Exit code 2: nothing has been queued.
 */
export function assertCheckpointsAvailable(wanted: readonly string[], available: readonly string[], server: string): void {
  const offered = new Set(available);
  const missing = [...new Set(wanted)].filter((name) => !offered.has(name));
  if (missing.length === 0) return;
  const lines = missing.map((name) => {
    const choices = available.length ? rankByCloseness(name, available).join(', ') : '(none: the server lists no checkpoints)';
    return `checkpoint '${name}' not found; available: ${choices}`;
  });
  throw new CliError('INVALID_INPUT', `${lines.join('\n')}\n  (checked on ${server}; nothing was queued)`, {
    details: { missing, available: [...available] },
  });
}
