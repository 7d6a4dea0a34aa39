import * as path from 'node:path';
import { JobOrchestrationError } from '../errors';
import { readStepParams } from '../spec/read-step-params';
import type { StepParams, StepWorkflow } from '../spec/resolved-job-spec';
import {
  bindTargets,
  checkApiWorkflow,
  cloneJson,
  parseBindPath,
  type ApiWorkflow,
  type WorkflowParam,
  type WorkflowTemplate,
} from '../workflow/api-workflow';
import { nodesOfClass } from '../workflow/graph-walk';

/** What a payload is built from: a `selectNextJob` result satisfies it. */
export interface BuildJobPayloadInput {
  kind: 'base_generation' | 'child_generation';
  run: { id: string; targetFolder: string };
  /** `workflow` and `params` as `jobSpecToPipelineRunInput` stored them. */
  step: { name: string; workflow: unknown; params: unknown };
  /** The candidate a child generation starts from; its image is uploaded first. */
  parent?: { id: string; imagePath: string } | null;
  seed: number;
  jobKey: string;
}

/** A local file to upload (`POST /upload/image`) before queueing, and the input that takes its stored name. */
interface JobUpload {
  localPath: string;
  uploadName: string;
  /** What the file is for: the item's `image:` / `mask:`, or the parent image of a child generation (for messages). */
  role: 'image' | 'mask' | 'parent';
  /** The server may store the file under another name (`x (1).png`): put that name here. */
  target: { nodeId: string; input: string };
}

/** An API-format workflow ready for `POST /prompt`, plus what must happen before it is posted. */
export interface JobPayload {
  workflow: ApiWorkflow;
  /** SaveImage prefix `kiln/<job key>`: the same for a rerun of the same slot, so reruns are byte-identical. */
  filenamePrefix: string;
  uploads: JobUpload[];
  /** The step's timeout; unset: the caller's default (COMFYUI_TIMEOUT) applies. */
  timeoutSeconds?: number;
  /** The image-output nodes whose images the job keeps, in order; absent for steps stored before outputs were chosen. */
  outputs?: Array<{ id: string; slug: string; socket?: true }>;
  /**
   * Where each recorded value sits in `workflow` (StepParams field → `"<node id>.inputs.<input>"`
   * list), so a record can be checked against the graph; `seed` is always there when the graph has one.
   */
  placed: Record<string, string[]>;
}

// StepParams field → workflow parameter it is placed at.
const PARAM_FIELDS: Array<[keyof StepParams, WorkflowParam]> = [
  ['prompt', 'prompt'], ['negativePrompt', 'negative_prompt'], ['checkpoint', 'checkpoint'], ['width', 'width'],
  ['height', 'height'], ['steps', 'steps'], ['cfg', 'cfg'], ['sampler', 'sampler'], ['scheduler', 'scheduler'],
];

/**
 * Builds the workflow of one selected job from its step's template and parameters. Pure: the
 * template is copied, never mutated, and nothing is uploaded or posted.
 */
export function buildJobPayload(input: BuildJobPayloadInput): JobPayload {
  const workflows = readStepWorkflow(input.step);
  const params = readStepParams(input.step);
  const isChild = input.kind === 'child_generation';
  const template = isChild ? workflows.child : workflows.base;
  if (!template) {
    throw new JobOrchestrationError('STEP_DEFINITION_INVALID', `step ${input.step.name} has no child workflow but a child generation was selected`);
  }
  const workflow = cloneJson(template.graph);
  const setPath = (path: string, value: unknown) => {
    const target = parseBindPath(path);
    if (target && workflow[target.nodeId]) workflow[target.nodeId].inputs[target.input] = value;
  };
  const placed: Record<string, string[]> = {};
  const set = (param: WorkflowParam, value: unknown, field: string = param) => {
    const paths = bindTargets(template.bindings, param);
    for (const path of paths) setPath(path, value);
    if (paths.length) placed[field] = paths;
  };

  // The spec's resolver refused `set:` entries that overlap a placed parameter, so the order is moot.
  for (const [path, value] of Object.entries(params.set ?? {})) setPath(path, value);
  for (const [field, param] of PARAM_FIELDS) {
    if (params[field] !== undefined) set(param, params[field], field);
  }
  // `seed: workflow` keeps every seed of the graph as it is (the selected seed was read from its first place).
  if (params.seed.mode !== 'workflow') set('seed', input.seed);
  else placed['seed'] = bindTargets(template.bindings, 'seed').slice(0, 1);
  // A step with children keeps its denoise for them; without, it is the base images' own.
  if (params.denoise !== undefined && (isChild || !workflows.child)) set('denoise', params.denoise);

  // No run id in the prefix: ComfyUI embeds the workflow in the PNG, so a rerun with the same seed
  // must send the same workflow to get byte-identical files (the server numbers files itself).
  const filenamePrefix = `kiln/${input.jobKey}`;
  placeFilenamePrefix(workflow, template, filenamePrefix);

  const uploads: JobUpload[] = [];
  if (!isChild) {
    // Named after their content: parallel runs and reruns upload the same name for the same bytes.
    for (const [param, file, digest] of [['image', params.image, params.imageSha256], ['mask', params.mask, params.maskSha256]] as const) {
      const target = parseBindPath(bindTargets(template.bindings, param)[0] ?? '');
      if (!file || !digest || !target || !workflow[target.nodeId]) continue;
      const uploadName = `kiln-in-${digest.slice(0, 32)}${path.extname(file).toLowerCase() || '.png'}`;
      workflow[target.nodeId].inputs[target.input] = uploadName;
      uploads.push({ localPath: file, uploadName, role: param, target });
    }
  }
  if (isChild) {
    const parent = input.parent;
    const imageTarget = parseBindPath(bindTargets(template.bindings, 'image')[0] ?? '');
    if (!parent || !imageTarget) {
      throw new JobOrchestrationError('PAYLOAD_UNBUILDABLE', `child generation ${input.jobKey} needs a parent image and a LoadImage input for it`);
    }
    const uploadName = `kiln-${parent.id}${path.extname(parent.imagePath) || '.png'}`;
    workflow[imageTarget.nodeId].inputs[imageTarget.input] = uploadName;
    uploads.push({ localPath: path.resolve(input.run.targetFolder, parent.imagePath), uploadName, role: 'parent', target: imageTarget });
  }
  return { workflow, filenamePrefix, uploads, timeoutSeconds: params.timeoutSeconds, outputs: template.outputs?.nodes, placed };
}

function placeFilenamePrefix(workflow: ApiWorkflow, template: WorkflowTemplate, prefix: string): void {
  const bound = parseBindPath(bindTargets(template.bindings, 'filename_prefix')[0] ?? '');
  const saves = nodesOfClass(workflow, 'SaveImage');
  // Every SaveImage gets a prefix of its own so no output of this job can collide with another's.
  for (const id of saves) {
    const isBound = bound?.nodeId === id;
    workflow[id].inputs['filename_prefix'] = isBound || saves.length === 1 ? prefix : `${prefix}-n${id}`;
  }
  if (bound && !saves.includes(bound.nodeId) && workflow[bound.nodeId]) workflow[bound.nodeId].inputs[bound.input] = prefix;
}

function readStepWorkflow(step: BuildJobPayloadInput['step']): StepWorkflow {
  const value = step.workflow as Partial<StepWorkflow> | null;
  const valid = (template: unknown): template is WorkflowTemplate => {
    const t = template as Partial<WorkflowTemplate> | null;
    return typeof t === 'object' && t !== null && typeof t.source === 'string' && typeof t.bindings === 'object' && t.bindings !== null && checkApiWorkflow(t.graph).ok;
  };
  if (typeof value !== 'object' || value === null || !valid(value.base) || (value.child !== undefined && !valid(value.child))) {
    throw new JobOrchestrationError('STEP_DEFINITION_INVALID', `step ${step.name} has no usable workflow (expected { base: { source, graph, bindings } })`);
  }
  return value as StepWorkflow;
}
