import type { CreatePipelineRunInput } from '@kiln/pipeline';
import type { ResolvedJobSpec } from './resolved-job-spec';

/** Options of {@link jobSpecToPipelineRunInput}. */
export interface JobSpecToPipelineRunOptions {
  /** Run name shown to people, e.g. the job file's base name. */
  name: string;
}

/**
 * The `createPipelineRun` input for a resolved spec: a batch item becomes one deterministic-named
 * step (`baseCount` = its count), a pipeline step one unique-named step with its children count.
 */
export function jobSpecToPipelineRunInput(spec: ResolvedJobSpec, options: JobSpecToPipelineRunOptions): CreatePipelineRunInput {
  return {
    name: options.name,
    kind: spec.kind,
    targetFolder: spec.outputDir,
    baseSeed: spec.baseSeed,
    spec: spec.source,
    steps: spec.steps.map((step) => ({
      name: step.name,
      workflow: step.workflow,
      params: { ...step.params },
      baseCount: step.baseCount,
      childrenPerSelected: step.childrenPerSelected,
      naming: step.naming,
      overwrite: step.overwrite,
    })),
  };
}
