import { deterministicOutputName } from '../naming/output-name';
import type { ResolvedStep } from './resolved-job-spec';
import type { SpecIssue } from './spec-issue';

/** Most images one spec may ask for (sum of `count`s), unless raised with KILN_MAX_IMAGES. */
export const DEFAULT_MAX_IMAGES_PER_SPEC = 10_000;

/** Names Windows reserves in any folder, with any extension (`con.png` is the console). */
const WINDOWS_DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

interface PlacedStep {
  at: string;
  step: Pick<ResolvedStep, 'name' | 'baseCount' | 'naming'>;
}

type Report = (issue: Omit<SpecIssue, 'kind'>) => void;

/** A slug that would make a file name Windows refuses. */
export function deviceNameProblem(slug: string): string | undefined {
  return WINDOWS_DEVICE_NAMES.test(slug) ? `gives the file name ${slug}.png, which Windows reserves for a device` : undefined;
}

/**
 * Every deterministic output name is unique across the spec, checked from the counts alone (no
 * expansion): item `Bob` with `count: 2` makes `bob-1.png`, `bob-2.png`, so an item `Bob 1`
 * (`bob-1.png`) collides with it. Equal slugs are reported where slugs are checked.
 */
export function checkOutputNameCollisions(placed: readonly PlacedStep[], report: Report): void {
  const deterministic = placed.filter((p) => p.step.naming === 'deterministic' && p.step.baseCount > 0);
  const bySlug = new Map(deterministic.map((p) => [p.step.name, p]));
  for (const single of deterministic) {
    if (single.step.baseCount !== 1) continue;
    const numbered = /^(.+)-(\d+)$/.exec(single.step.name);
    if (!numbered) continue;
    const owner = bySlug.get(numbered[1]);
    const index = Number(numbered[2]);
    if (!owner || owner === single || owner.step.baseCount < 2 || index < 1 || index > owner.step.baseCount) continue;
    const file = deterministicOutputName(single.step.name, 0, 1);
    report({
      path: `${single.at}.name`,
      message: `makes ${file}, which ${owner.at} (count: ${owner.step.baseCount}) also makes: one image would replace the other`,
      value: single.step.name,
      fix: `rename one of them (e.g. "${numbered[1]} ${index} b")`,
    });
  }
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
