import { buildJobPayload, deriveSeed, type ResolvedStep } from '@kiln/job-orchestration';
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

/**
 * Checks every distinct workflow the steps will submit (base, and child when the step has children),
 * built exactly as jobs build them (bindings, the step's values, a seed), against each catalogue.
 * Seeds only differ between a step's images, so one per step stands for all; the parent image of a
 * child is an upload and never counts as missing.
 */
export function preflightSteps(steps: readonly ResolvedStep[], catalogues: readonly ServerCatalogue[]): StepPreflight[] {
  const results: StepPreflight[] = [];
  for (const step of steps) {
    const kinds: Array<'base' | 'child'> = step.workflow.child && step.childrenPerSelected > 0 ? ['base', 'child'] : ['base'];
    for (const kind of kinds) {
      const payload = buildJobPayload({
        kind: kind === 'base' ? 'base_generation' : 'child_generation',
        run: { id: 'preflight', targetFolder: '.' },
        step: { name: step.name, workflow: step.workflow, params: step.params },
        parent: kind === 'child' ? { id: 'preflight', imagePath: 'parent.png' } : null,
        seed: step.params.seed.mode === 'fixed' ? deriveSeed(step.params.seed.base, step.name, 0) : 0,
        jobKey: `preflight-${step.name}`,
      });
      const uploaded = payload.uploads.map((u) => u.target);
      const servers = catalogues.map((c) => ({ server: c.server, identity: c.identity, problems: preflightWorkflow(payload.workflow, c.objectInfo, uploaded) }));
      results.push({ item: step.params.displayName, workflow: kind, servers, runnable: servers.filter((s) => s.problems.length === 0).map((s) => s.server) });
    }
  }
  return results;
}
