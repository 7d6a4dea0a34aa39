/** What an id, or the first characters of one as the CLI's tables print them, names. */
export type IdPrefixMatch =
  | { kind: 'found'; id: string }
  | { kind: 'not_found' }
  /** Several ids start with it: the newest few, for a person to choose from. */
  | { kind: 'ambiguous'; candidates: string[] };

/** Ids shown for an ambiguous prefix. */
const shownCandidates = 5;

/**
 * Resolves a prefix of a uuid with the owner's own statement: `findIds` gets a LIKE pattern and a
 * limit and returns matching ids newest first. Anything but hex digits and dashes names nothing.
 */
export async function matchIdPrefix(prefix: string, findIds: (likePattern: string, limit: number) => Promise<string[]>): Promise<IdPrefixMatch> {
  if (!/^[0-9a-f-]{1,36}$/i.test(prefix)) return { kind: 'not_found' };
  const ids = await findIds(`${prefix.toLowerCase()}%`, shownCandidates);
  if (ids.length === 0) return { kind: 'not_found' };
  if (ids.length > 1) return { kind: 'ambiguous', candidates: ids };
  return { kind: 'found', id: ids[0] };
}
