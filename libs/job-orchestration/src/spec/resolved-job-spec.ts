import type { WorkflowTemplate } from '../workflow/api-workflow';

/** How a step's images get their seeds. */
export type SeedPolicy =
  | { mode: 'fixed'; base: number }
  | { mode: 'random' }
  /** Keep the seed the workflow file holds, and record that value. */
  | { mode: 'workflow' };

/**
 * Generation parameters of one step, stored in `PipelineStep.params`. Unset values keep whatever the
 * workflow template holds.
 */
export interface StepParams {
  /** The item or step name as written in the spec. */
  displayName: string;
  prompt?: string;
  negativePrompt?: string;
  checkpoint?: string;
  width?: number;
  height?: number;
  steps?: number;
  cfg?: number;
  sampler?: string;
  scheduler?: string;
  /** Sampler denoise: of the base images when the step has no child workflow, else of its child generations. */
  denoise?: number;
  /** `image:` / `mask:` of the item: absolute local paths and the sha256 of their bytes (uploaded under a name made from it). */
  image?: string;
  imageSha256?: string;
  mask?: string;
  maskSha256?: string;
  seed: SeedPolicy;
  /** Extra widget values, `"<node id>.inputs.<input>"` → value, set as they are. */
  set?: Record<string, string | number | boolean>;
  /** Seconds one image may take; unset: the default of the process that creates the job (COMFYUI_TIMEOUT). */
  timeoutSeconds?: number;
}

/** Workflows of one step, stored in `PipelineStep.workflow`: self-contained so a run never depends on files again. */
export interface StepWorkflow {
  base: WorkflowTemplate;
  /** Present when the step makes child generations. */
  child?: WorkflowTemplate;
}

/** One step of a resolved spec: a batch item or a pipeline step. */
export interface ResolvedStep {
  /** Slug of the item or step name: unique within the run. */
  name: string;
  baseCount: number;
  childrenPerSelected: number;
  naming: 'deterministic' | 'unique';
  overwrite: boolean;
  workflow: StepWorkflow;
  params: StepParams;
}

/** A validated job spec with defaults merged, paths resolved and workflows loaded. */
export interface ResolvedJobSpec {
  kind: 'batch' | 'pipeline';
  /** Absolute folder outputs go to. */
  outputDir: string;
  overwrite: boolean;
  /** `defaults.seed` when it is a number. */
  baseSeed: number | null;
  steps: ResolvedStep[];
  /** Every checkpoint file name the spec uses: check them against the server before queueing anything. */
  checkpoints: string[];
  /** Things worth telling about the workflow files that are not problems (a saved POST /prompt body was unwrapped…). */
  notes: string[];
  /** The spec as data, for `PipelineRun.spec`. */
  source: Record<string, unknown>;
}
