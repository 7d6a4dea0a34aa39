/** Longest name derived from a prompt: enough to recognise the file, short enough to read. */
const PROMPT_NAME_LENGTH = 48;

/** `"Portrait of a fox knight, oil on canvas"` → `Portrait of a fox knight oil on canvas`, cut at a word. */
export function nameFromPrompt(prompt: string): string {
  const words = prompt.replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ');
  let name = '';
  for (const word of words) {
    const next = name ? `${name} ${word}` : word;
    if (next.length > PROMPT_NAME_LENGTH && name) break;
    name = next.slice(0, PROMPT_NAME_LENGTH);
  }
  return name || 'image';
}
