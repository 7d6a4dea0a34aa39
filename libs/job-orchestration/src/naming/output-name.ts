import { createHash } from 'node:crypto';

/**
 * Name of a deterministic output, relative to the run's target folder: `<slug>.png` when the item
 * makes one image, `<slug>-1.png`, `<slug>-2.png`… (1-based) when it makes several.
 */
export function deterministicOutputName(slug: string, index: number, count: number): string {
  return count > 1 ? `${slug}-${index + 1}.png` : `${slug}.png`;
}

/**
 * Name of a unique output, relative to the run's target folder: `<step-slug>/<hash>_<timestamp>.png`.
 * The hash comes from the job key (callers include the run id), so a retry of the same job keeps it.
 */
export function uniqueOutputName(stepSlug: string, jobKey: string, at: Date): string {
  const hash = createHash('sha256').update(jobKey, 'utf8').digest('hex').slice(0, 16);
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${stepSlug}/${hash}_${stamp}.png`;
}

/** Job key of a base generation: unique within a run and stable across retries. */
export function baseJobKey(stepSlug: string, index: number): string {
  return `${stepSlug}.base-${index}`;
}

/** Job key of a child generation: unique within a run and stable across retries. */
export function childJobKey(stepSlug: string, parentId: string, index: number): string {
  return `${stepSlug}.child-${parentId}-${index}`;
}
