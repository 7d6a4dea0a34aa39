/**
 * Longest slug we produce: keeps `<slug>-<n>.png` well under every file system's name limit.
 * @internal exported for its spec
 */
export const MAX_SLUG_LENGTH = 80;

// Letters NFKD does not decompose into ASCII.
const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ł: 'l', ı: 'i', ŋ: 'ng', ĸ: 'k',
};

/**
 * Turns a display name into a file-name-safe slug: only `[a-z0-9-]`, no leading/trailing `-`,
 * at most {@link MAX_SLUG_LENGTH} characters. Accents are transliterated (`Zoë` → `zoe`), other
 * scripts are dropped, so the result may be empty: callers must treat `''` as invalid.
 */
export function slugify(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^ -~]/g, (ch) => TRANSLITERATIONS[ch] ?? ' ');
  const slug = ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.slice(0, MAX_SLUG_LENGTH).replace(/-+$/, '');
}

/**
 * True when `slug` is something {@link slugify} could have produced and is safe as a path segment.
 * @internal exported for its spec
 */
export function isValidSlug(slug: string): boolean {
  return slug.length > 0 && slug.length <= MAX_SLUG_LENGTH && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug);
}
