import { CliError } from '../errors';
import { rankByCloseness } from './closest-match';

/** Checkpoints listed per missing name: a server with 200,000 files must not print megabytes. */
const MAX_LISTED = 20;

/**
 * Fails with every checkpoint the spec names that the server does not offer, each followed by the
 * available ones, closest first. Exit code 2: nothing has been queued.
 */
export function assertCheckpointsAvailable(wanted: readonly string[], available: readonly string[], server: string): void {
  const offered = new Set(available);
  const missing = [...new Set(wanted)].filter((name) => !offered.has(name));
  if (missing.length === 0) return;
  const lines = missing.map((name) => {
    const ranked = rankByCloseness(name, available);
    const more = ranked.length > MAX_LISTED ? ` and ${ranked.length - MAX_LISTED} more` : '';
    const choices = available.length ? `${ranked.slice(0, MAX_LISTED).join(', ')}${more}` : '(none: the server lists no checkpoints)';
    return `checkpoint '${name}' not found; available: ${choices}`;
  });
  throw new CliError('INVALID_INPUT', `${lines.join('\n')}\n  (checked on ${server}; nothing was queued)`, {
    details: { missing, available: available.slice(0, MAX_LISTED * 10), availableCount: available.length },
  });
}
