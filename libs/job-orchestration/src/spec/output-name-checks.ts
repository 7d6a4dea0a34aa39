import { outputNamePattern, rivalSlugs, sharedOutputName } from '../naming/output-name-pattern';
import type { ResolvedStep } from './resolved-job-spec';
import type { SpecIssue } from './spec-issue';

/** Most images one spec may ask for (sum of `count`s), unless raised with KILN_MAX_IMAGES. */
export const DEFAULT_MAX_IMAGES_PER_SPEC = 10_000;

/** Names Windows reserves in any folder, with any extension (`con.png` is the console). */
const WINDOWS_DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

interface PlacedStep {
  at: string;
  step: Pick<ResolvedStep, 'name' | 'baseCount' | 'naming' | 'params'> & { workflow: { base: Pick<ResolvedStep['workflow']['base'], 'outputs'> } };
}

type Report = (issue: Omit<SpecIssue, 'kind'>) => void;

/** A slug that would make a file name Windows refuses. */
export function deviceNameProblem(slug: string): string | undefined {
  return WINDOWS_DEVICE_NAMES.test(slug) ? `gives the file name ${slug}.png, which Windows reserves for a device` : undefined;
}

/**
 * Every deterministic output name is unique across the spec, counting every name an item writes:
 * `count`, its workflow's own batch_size and `outputs: all` all add to it. Item `Bob` with
 * `count: 2` (or a batch_size of 2) makes `bob-1.png`, `bob-2.png`, so an item `Bob 1`
 * (`bob-1.png`) collides with it. Checked from the patterns alone, without listing the names, so a
 * huge spec costs no more than a small one. Equal slugs are reported where slugs are checked.
 */
export function checkOutputNameCollisions(placed: readonly PlacedStep[], report: Report): void {
  const patterns = placed
    .filter((p) => p.step.naming === 'deterministic' && p.step.baseCount > 0)
    .map((p) => {
      const outputs = p.step.workflow.base.outputs;
      const nodes = outputs?.nodes.map((node) => node.slug) ?? [];
      return { placed: p, pattern: outputNamePattern(p.step.name, p.step.baseCount, nodes, outputs?.batchSize ?? 1) };
    });
  const bySlug = new Map(patterns.map((entry) => [entry.placed.step.name, entry]));
  for (const entry of patterns) {
    for (const slug of rivalSlugs(entry.pattern)) {
      const rival = bySlug.get(slug);
      const file = rival && sharedOutputName(rival.pattern, entry.pattern);
      if (!rival || !file) continue;
      // Reported at the later of the two, naming the earlier.
      const [first, second] = indexOf(rival.placed.at) < indexOf(entry.placed.at) ? [rival.placed, entry.placed] : [entry.placed, rival.placed];
      report({
        path: `${second.at}.name`,
        message: `makes ${file}${namedBy(second)}, which ${first.at} "${first.step.params.displayName}" also makes${namedBy(first)}: one image would replace the other`,
        value: second.step.params.displayName,
        fix: `rename one of them (e.g. "${second.step.params.displayName} b")`,
      });
    }
  }
}

/** What numbers an item's files, for the message: ` (count: 2, batch_size 2 of its workflow)`. */
function namedBy(placed: PlacedStep): string {
  const outputs = placed.step.workflow.base.outputs;
  const reasons = [
    placed.step.baseCount > 1 ? `count: ${placed.step.baseCount}` : '',
    (outputs?.batchSize ?? 1) > 1 ? `batch_size ${outputs?.batchSize} of its workflow` : '',
    (outputs?.nodes.length ?? 1) > 1 ? `outputs: all, a file per node: ${outputs?.nodes.map((n) => n.slug).join(', ')}` : '',
  ].filter(Boolean);
  return reasons.length ? ` (${reasons.join('; ')})` : '';
}

/** `items[12]` → 12. */
function indexOf(at: string): number {
  return Number(/\[(\d+)\]$/.exec(at)?.[1] ?? 0);
}

/** The spec asks for no more images than the limit, summed from the counts (nothing expanded). */
export function checkTotalImages(placed: readonly PlacedStep[], maxImages: number, report: Report): void {
  const total = placed.reduce((sum, p) => sum + p.step.baseCount, 0);
  if (total <= maxImages) return;
  report({
    path: placed.length && placed[0].at.startsWith('steps') ? 'steps' : 'items',
    message: `asks for ${total} images, over the limit of ${maxImages} per spec`,
    fix: `split the job file, or raise the limit with KILN_MAX_IMAGES=${total}`,
  });
}
