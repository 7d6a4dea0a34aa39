import { IMAGE_RUNNERS } from './runners/image-runners';
import { LATENT_RUNNERS } from './runners/latent-runners';
import { LOADER_RUNNERS } from './runners/loader-runners';
import { OUTPUT_RUNNERS } from './runners/output-runners';
import type { NodeRunner } from './runners/runner-types';

export type { NodeRunContext, NodeRunner } from './runners/runner-types';
export { genericSteps, runGenericNode } from './runners/generic-runner';

/** Classes with their own runner; every other catalogue class runs through `runGenericNode`. */
const NODE_RUNNERS: Record<string, NodeRunner> = {
  ...LOADER_RUNNERS,
  ...LATENT_RUNNERS,
  ...IMAGE_RUNNERS,
  ...OUTPUT_RUNNERS,
};

export function runnerFor(classType: string): NodeRunner | undefined {
  return Object.prototype.hasOwnProperty.call(NODE_RUNNERS, classType) ? NODE_RUNNERS[classType] : undefined;
}
