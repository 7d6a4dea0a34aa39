/** How many entries an error message lists before "and N more". */
export const MAX_LISTED = 20;

/** Longest free text from the server quoted in a message (a detail that embeds a whole list). */
const MAX_QUOTED_CHARS = 300;

/**
 * `a, b, c and 7 more`: at most `max` entries, those closest to `near` first (when given), so a
 * server listing 200,000 checkpoints still gives a short message whose first names are the likely fix.
 */
export function capList(items: readonly string[], max = MAX_LISTED, near?: string): string {
  const ordered = near === undefined ? items : closestFirst(items, near);
  const shown = ordered.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** Cuts server text to `max` characters, saying how much was left out. */
export function capText(text: string, max = MAX_QUOTED_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/** Stable order by similarity (shared character pairs, Dice's coefficient): linear in the list. */
function closestFirst(items: readonly string[], near: string): string[] {
  const target = pairs(near.toLowerCase());
  return items
    .map((item, index) => ({ item, index, score: dice(target, pairs(item.toLowerCase())) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((entry) => entry.item);
}

function pairs(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < text.length - 1; i++) {
    const pair = text.slice(i, i + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  return counts;
}

function dice(a: Map<string, number>, b: Map<string, number>): number {
  let shared = 0;
  let total = 0;
  for (const n of a.values()) total += n;
  for (const n of b.values()) total += n;
  for (const [pair, n] of a) shared += Math.min(n, b.get(pair) ?? 0);
  return total === 0 ? 0 : (2 * shared) / total;
}
