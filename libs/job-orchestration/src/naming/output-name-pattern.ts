/**
 * The set of file names one batch item writes, described instead of listed (an item with `count:
 * 1000` and a batch_size of 64 writes 64,000 names). The grammar is that of `deterministicOutputName`
 * and `jobOutputNames`: `<slug>[-<i>][.<node slug>][-<k>].png`, where `-<i>` is there for `count` > 1,
 * `.<node slug>` for several output nodes (`outputs: all`) and `-<k>` for a batch_size > 1.
 *
 * A name splits at its dots into parts, and each part at its dashes into tokens: slugs are
 * `[a-z0-9]+` tokens joined by single dashes, so that split is unambiguous.
 */
export interface OutputNamePattern {
  /** The part before the first dot: the slug, then the item index and (one node) the batch index. */
  stem: PartPattern;
  /** With several output nodes: `<node slug>[-<k>]`, one choice per node. */
  nodes?: PartPattern[];
}

/** Fixed tokens, then numbered tokens: `-1` … `-<n>` for each range `n`. */
interface PartPattern {
  tokens: string[];
  ranges: number[];
}

/** The pattern of an item named `slug` with `count` jobs, each writing `batchSize` images per output node. */
export function outputNamePattern(slug: string, count: number, nodeSlugs: readonly string[], batchSize: number): OutputNamePattern {
  const itemRange = count > 1 ? [count] : [];
  const batchRange = batchSize > 1 ? [batchSize] : [];
  if (nodeSlugs.length > 1) {
    return { stem: { tokens: slug.split('-'), ranges: itemRange }, nodes: nodeSlugs.map((node) => ({ tokens: node.split('-'), ranges: batchRange })) };
  }
  return { stem: { tokens: slug.split('-'), ranges: [...itemRange, ...batchRange] } };
}

/**
 * Slugs whose items could write a name this pattern writes: its own slug with up to two trailing
 * numbered tokens taken off (`bob-1-2` could clash with `bob-1` or `bob`, never with `bo`).
 */
export function rivalSlugs(pattern: OutputNamePattern): string[] {
  const tokens = pattern.stem.tokens;
  const slugs: string[] = [];
  for (let drop = 1; drop <= 2 && drop < tokens.length && isIndex(tokens[tokens.length - drop]); drop++) slugs.push(tokens.slice(0, -drop).join('-'));
  return slugs;
}

/** A file name both patterns write, or undefined when they share none. */
export function sharedOutputName(a: OutputNamePattern, b: OutputNamePattern): string | undefined {
  if (Boolean(a.nodes) !== Boolean(b.nodes)) return undefined;
  const stem = sharedPart(a.stem, b.stem);
  if (stem === undefined) return undefined;
  if (!a.nodes || !b.nodes) return `${stem}.png`;
  for (const left of a.nodes) {
    for (const right of b.nodes) {
      const node = sharedPart(left, right);
      if (node !== undefined) return `${stem}.${node}.png`;
    }
  }
  return undefined;
}

function sharedPart(a: PartPattern, b: PartPattern): string | undefined {
  const length = a.tokens.length + a.ranges.length;
  if (length !== b.tokens.length + b.ranges.length) return undefined;
  const tokens: string[] = [];
  for (let at = 0; at < length; at++) {
    const x = tokenAt(a, at);
    const y = tokenAt(b, at);
    if (typeof x === 'string' && typeof y === 'string') {
      if (x !== y) return undefined;
      tokens.push(x);
    } else if (typeof x === 'string' || typeof y === 'string') {
      const fixed = (typeof x === 'string' ? x : y) as string;
      const range = (typeof x === 'string' ? y : x) as number;
      if (!isIndex(fixed) || Number(fixed) > range) return undefined;
      tokens.push(fixed);
    } else {
      // Both numbered from 1: 1 is in both.
      tokens.push('1');
    }
  }
  return tokens.join('-');
}

/** The fixed token at `at`, or the size of the numbered range there. */
function tokenAt(part: PartPattern, at: number): string | number {
  return at < part.tokens.length ? part.tokens[at] : part.ranges[at - part.tokens.length];
}

/** A token `-<n>` numbering could print: 1, 2, … (no leading zero). */
function isIndex(token: string): boolean {
  return /^[1-9][0-9]*$/.test(token);
}
