import { createHash, randomInt } from 'node:crypto';

/** Largest seed we hand out: survives JSON, JavaScript numbers and PostgreSQL bigint exactly. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

// Versioned prefixes: changing the derivation must change the prefix, never silently the seeds.
const BASE_SEED_DOMAIN = 'kiln.seed.v1';
const CHILD_SEED_DOMAIN = 'kiln.child-seed.v1';

/**
 * The seed of base image `index` (0-based) of an item or step. Depends only on its arguments, so
 * reordering or adding items never changes another item's seeds.
 */
export function deriveSeed(baseSeed: number, slug: string, index: number): number {
  return hashToSeed(JSON.stringify([BASE_SEED_DOMAIN, baseSeed, slug, index]));
}

/** The seed of child `childIndex` (0-based) of a parent image that was generated with `parentSeed`. */
export function deriveChildSeed(baseSeed: number, stepSlug: string, parentSeed: number, childIndex: number): number {
  return hashToSeed(JSON.stringify([CHILD_SEED_DOMAIN, baseSeed, stepSlug, parentSeed, childIndex]));
}

/** A fresh seed from the OS's CSPRNG, in the same range as derived seeds; callers must record it. */
export function drawRandomSeed(): number {
  // randomInt caps its range below 2^48, so compose two draws for the full 53 bits.
  const high = randomInt(0, 2 ** 21);
  const low = randomInt(0, 2 ** 32);
  return high * 2 ** 32 + low;
}

function hashToSeed(canonical: string): number {
  const digest = createHash('sha256').update(canonical, 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) >> 11n);
}
