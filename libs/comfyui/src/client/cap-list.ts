import { rankByCloseness } from './rank-by-closeness';

/** How many entries an error message lists before "and N more". */
export const MAX_LISTED = 20;

/** Longest free text from the server quoted in a message (a detail that embeds a whole list). */
const MAX_QUOTED_CHARS = 300;

/**
 * `a, b, c and 7 more`: at most `max` entries, those closest to `near` first (when given), so a
 * server listing 200,000 checkpoints still gives a short message whose first names are the likely fix.
 */
export function capList(items: readonly string[], max = MAX_LISTED, near?: string): string {
  const ordered = near === undefined ? items : rankByCloseness(near, items);
  const shown = ordered.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** Cuts server text to `max` characters, saying how much was left out. */
export function capText(text: string, max = MAX_QUOTED_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}
