import { buildJobPayload, deriveSeed, MAX_SEED, type ResolvedStep } from '@kiln/job-orchestration';
import type { PreflightProblem } from './preflight-problem';
import { preflightWorkflow } from './preflight-workflow';
import type { ServerCatalogue } from './server-catalogues';

/** One workflow a step will submit, checked on every server. */
export interface StepPreflight {
  /** The item or step name as written in the spec. */
  item: string;
  /** `base` images, or `child` generations (img2img from a selected parent). */
  workflow: 'base' | 'child';
  /** Per server: what it lacks for this workflow (empty: it can run it). */
  servers: Array<{ server: string; identity: string; problems: PreflightProblem[] }>;
  /** The servers that can run it. */
  runnable: string[];
}

type Kind = 'base' | 'child';

/**
 * Checks every distinct workflow the steps will submit (base, and child when the step has children),
 * built exactly as jobs build them (placement, bindings, `set:` values, the item's own values and
 * uploaded inputs), against each catalogue. Jobs of one step differ only by seed, so the workflow is
 * checked with the step's lowest and highest seed (see {@link seedExtremes}); the files a job uploads
 * (an item's `image:`/`mask:`, a child's parent) never count as missing.
 */
export function preflightSteps(steps: readonly ResolvedStep[], catalogues: readonly ServerCatalogue[]): StepPreflight[] {
  const results: StepPreflight[] = [];
  for (const step of steps) {
    const kinds: Kind[] = step.workflow.child && step.childrenPerSelected > 0 ? ['base', 'child'] : ['base'];
    for (const kind of kinds) {
      const payloads = seedExtremes(step, kind).map((seed) =>
        buildJobPayload({
          kind: kind === 'base' ? 'base_generation' : 'child_generation',
          run: { id: 'preflight', targetFolder: '.' },
          step: { name: step.name, workflow: step.workflow, params: step.params },
          parent: kind === 'child' ? { id: 'preflight', imagePath: 'parent.png' } : null,
          seed,
          jobKey: `preflight-${step.name}`,
        }),
      );
      // `seed: workflow` places nothing: a bound problem there is the graph's own value.
      const seedPlaces = new Set(step.params.seed.mode === 'workflow' ? [] : (payloads[0].placed['seed'] ?? []));
      const servers = catalogues.map((c) => {
        const found = payloads.flatMap((p) => preflightWorkflow(p.workflow, c.objectInfo, p.uploads.map((u) => u.target)));
        const problems = distinct(found).map((p) => (seedPlaces.has(`${p.nodeId}.inputs.${p.input}`) ? explainSeedBound(p, step) : p));
        return { server: c.server, identity: c.identity, problems };
      });
      results.push({ item: step.params.displayName, workflow: kind, servers, runnable: servers.filter((s) => s.problems.length === 0).map((s) => s.server) });
    }
  }
  return results;
}

/**
 * The seeds a step's workflow is checked with. The only check a seed value meets is INT bounds
 * (min/max), which a range passes exactly when its two ends do; so checking the lowest and highest
 * seed the step's jobs can get covers every job, and no value is checked that a job cannot get:
 * - `seed: <n>` (derived): base images get `deriveSeed(n, step, i)` for each image, all known now,
 *   so the smallest and largest of those; children depend on parents not made yet, so the whole
 *   range derived seeds take, 0…MAX_SEED.
 * - `seed: random`: each image draws from 0…MAX_SEED (drawRandomSeed), so both ends; checking with 0
 *   alone would let a seed input with a lower maximum pass here and fail at run time.
 * - `seed: workflow`: the graph's own seed is left in place; the value given is not used.
 */
function seedExtremes(step: ResolvedStep, kind: Kind): number[] {
  const policy = step.params.seed;
  if (policy.mode === 'workflow') return [0];
  if (policy.mode === 'random' || kind === 'child') return [0, MAX_SEED];
  const seeds = Array.from({ length: Math.max(1, step.baseCount) }, (_, i) => deriveSeed(policy.base, step.name, i));
  const [low, high] = [Math.min(...seeds), Math.max(...seeds)];
  return low === high ? [low] : [low, high];
}

/** A bound problem on the seed names where the value came from, so the fix is findable. */
function explainSeedBound(problem: PreflightProblem, step: ResolvedStep): PreflightProblem {
  if (problem.code !== 'value_bigger_than_max' && problem.code !== 'value_smaller_than_min') return problem;
  const policy = step.params.seed;
  const source = policy.mode === 'fixed' ? `seed: ${policy.base} derives this seed` : `seed: random draws seeds from 0 to ${MAX_SEED}`;
  return { ...problem, message: `${problem.message} (${source}; use seed: workflow to keep the graph's own seed)` };
}

function distinct(problems: PreflightProblem[]): PreflightProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify([p.code, p.nodeId, p.input, p.value, p.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
