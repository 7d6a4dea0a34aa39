/** Levenshtein distance (insert, delete, substitute: cost 1 each). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * `choices` ordered by closeness to `wanted`, closest first: case-insensitive edit distance of the
 * names without their extension (so `v1-5.ckpt` vs `v1-5.safetensors` counts as close), ties by name.
 */
export function rankByCloseness(wanted: string, choices: readonly string[]): string[] {
  const stem = (name: string) => name.toLowerCase().replace(/\.(safetensors|ckpt|pt|pth|bin|gguf)$/, '');
  const distance = (choice: string) =>
    Math.min(editDistance(wanted.toLowerCase(), choice.toLowerCase()), editDistance(stem(wanted), stem(choice)));
  return [...choices]
    .map((choice) => ({ choice, distance: distance(choice) }))
    .sort((a, b) => a.distance - b.distance || a.choice.localeCompare(b.choice))
    .map(({ choice }) => choice);
}
