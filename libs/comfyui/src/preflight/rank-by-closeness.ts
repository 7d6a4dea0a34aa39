import { editDistance } from '@kiln/job-orchestration';

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
