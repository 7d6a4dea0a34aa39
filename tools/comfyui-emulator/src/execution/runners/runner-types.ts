import type { ApiPrompt } from '../../validation/validate-prompt';
import type { NodeValue } from '../node-values';

export interface ImageRef {
  filename: string;
  subfolder: string;
  type: 'output' | 'temp';
}

export interface NodeRunContext {
  nodeId: string;
  classType: string;
  promptId: string;
  /** Literal inputs after validation coercion, and upstream values for links. */
  inputs: Record<string, unknown>;
  prompt: ApiPrompt;
  extraData: Record<string, unknown>;
  dirs: { output: string; input: string; temp: string };
  /** RETURN_TYPES from the catalogue. */
  outputTypes: unknown[];
  isBrokenCheckpoint(name: string): boolean;
  /** `ProgressBar.update_absolute(value, max, preview)`: a `progress` message, plus a binary preview frame when given. */
  reportProgress(value: number, max: number, previewPng?: Buffer): void;
}

export interface NodeRunResult {
  outputs: NodeValue[];
  ui?: { images: ImageRef[] };
}

export interface NodeRunner {
  /** Progress steps reported while running (KSampler: `steps`). */
  steps?(inputs: Record<string, unknown>): number;
  run(context: NodeRunContext): NodeRunResult;
}
