import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past the live heap before it collects again: 1.5× instead
 * of its default (up to 4× when collecting is cheap). The worker is a daemon with ~30 MiB of live
 * objects; left alone V8 kept ~160 MiB reserved after 10,000 images and ~90 MiB after 1,000, so RSS
 * crept up for the first hours. At 1.5× it holds ~73–77 MiB from 1,000 to 10,000 images (bench/README.md).
 * A `--heap-growing-percent` given to node by the operator wins.
 * @internal exported for its spec
 */
export const HEAP_GROWING_PERCENT = 50;

export function tuneHeapGrowth(execArgv: readonly string[] = process.execArgv, setFlags: (flags: string) => void = setFlagsFromString): boolean {
  if (execArgv.some((arg) => arg.startsWith('--heap-growing-percent') || arg.startsWith('--heap_growing_percent'))) return false;
  setFlags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
