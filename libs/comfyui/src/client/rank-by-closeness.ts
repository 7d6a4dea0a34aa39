/**
 * `choices` ordered by closeness to `wanted`, closest first: the one ranking behind every "closest
 * choices" list (preflight problems and server rejections alike). Similarity is Dice's coefficient
 * over character pairs, case-insensitive, of the whole names and of the names without their model
 * extension (so `v1-5.ckpt` vs `v1-5.safetensors` counts as close); linear in the list, so a server
 * listing 200,000 models still answers at once. Ties keep alphabetical order.
 */
export function rankByCloseness(wanted: string, choices: readonly string[]): string[] {
  const whole = pairs(wanted.toLowerCase());
  const stemmed = pairs(stem(wanted));
  return choices
    .map((choice) => ({ choice, score: Math.max(dice(whole, pairs(choice.toLowerCase())), dice(stemmed, pairs(stem(choice)))) }))
    .sort((a, b) => b.score - a.score || compareNames(a.choice, b.choice))
    .map(({ choice }) => choice);
}

function stem(name: string): string {
  return name.toLowerCase().replace(/\.(safetensors|ckpt|pt|pth|bin|gguf)$/, '');
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
