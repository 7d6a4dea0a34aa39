import type { OutputChoice } from './output-nodes';

/** One node of an API-format ComfyUI workflow (the "Save (API)" export, the body of `POST /prompt`). */
interface ApiWorkflowNode {
  class_type: string;
  /** Literal values, or links `[source node id, output index]` (the id must be a string). */
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}

/** An API-format workflow: node id → node. The one workflow type of Kiln: the comfyui pack posts it as is. */
export type ApiWorkflow = Record<string, ApiWorkflowNode>;

/** Parameters Kiln can place into a workflow. */
export type WorkflowParam =
  | 'prompt'
  | 'negative_prompt'
  | 'checkpoint'
  | 'width'
  | 'height'
  | 'steps'
  | 'cfg'
  | 'sampler'
  | 'scheduler'
  | 'seed'
  | 'denoise'
  | 'image'
  | 'mask'
  | 'filename_prefix';

export const WORKFLOW_PARAMS: readonly WorkflowParam[] = [
  'prompt', 'negative_prompt', 'checkpoint', 'width', 'height', 'steps', 'cfg', 'sampler', 'scheduler', 'seed',
  'denoise', 'image', 'mask', 'filename_prefix',
];

/**
 * Where each parameter goes: `"<node id>.inputs.<input name>"`, or a list of them (one value, several
 * places: a prompt on the base and the refiner encoder). Read them with {@link bindTargets}.
 */
export type WorkflowBindings = Partial<Record<WorkflowParam, string | string[]>>;

/** Every place a parameter is bound to (none when it is not bound). */
export function bindTargets(bindings: WorkflowBindings, param: WorkflowParam): string[] {
  const bound = bindings[param];
  return bound === undefined ? [] : Array.isArray(bound) ? bound : [bound];
}

/** A workflow with its parameter placement, as stored on a pipeline step. */
export interface WorkflowTemplate {
  /** `builtin:txt2img`, `builtin:img2img` or the spec-relative path it was read from. */
  source: string;
  graph: ApiWorkflow;
  bindings: WorkflowBindings;
  /** The image outputs a job of this step keeps (set by the spec resolver; absent in older stored steps). */
  outputs?: OutputChoice;
}

export type CheckApiWorkflowResult =
  | { ok: true; workflow: ApiWorkflow; /** Set when the file was a saved `POST /prompt` body and its `prompt` was taken. */ note?: string }
  | { ok: false; problem: string; fix: string };

/**
 * Checks that data is an API-format workflow (and not the UI format, which ComfyUI cannot queue). A
 * saved `POST /prompt` body (`{"prompt": {...}, "client_id": …}`) is unwrapped, with a note.
 */
export function checkApiWorkflow(data: unknown): CheckApiWorkflowResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, problem: 'is not a JSON object of nodes', fix: 'export the workflow from ComfyUI with "Save (API)"' };
  }
  const body = data as Record<string, unknown>;
  const prompt = body['prompt'];
  if (typeof prompt === 'object' && prompt !== null && !Array.isArray(prompt) && typeof (prompt as Record<string, unknown>)['class_type'] !== 'string') {
    const inner = checkApiWorkflow(prompt);
    const others = Object.keys(body).filter((key) => key !== 'prompt');
    const dropped = others.length ? ` (${others.join(', ')} left out)` : '';
    return inner.ok ? { ...inner, note: `is a saved POST /prompt body: its "prompt" is used as the workflow${dropped}` } : inner;
  }
  const record = body;
  if (Array.isArray(record['nodes']) && 'links' in record) {
    return { ok: false, problem: 'is a UI-format workflow (it has "nodes" and "links")', fix: 'export it from ComfyUI with "Save (API)" instead of "Save"' };
  }
  const ids = Object.keys(record);
  if (ids.length === 0) return { ok: false, problem: 'has no nodes', fix: 'export a workflow that has nodes' };
  for (const id of ids) {
    const node = record[id] as Partial<ApiWorkflowNode> | null;
    const valid =
      typeof node === 'object' && node !== null && typeof node.class_type === 'string' &&
      typeof node.inputs === 'object' && node.inputs !== null && !Array.isArray(node.inputs);
    if (!valid) {
      return { ok: false, problem: `node "${id}" is not {"class_type": …, "inputs": {…}}`, fix: 'export the workflow from ComfyUI with "Save (API)"' };
    }
  }
  return { ok: true, workflow: record as ApiWorkflow };
}

/** A link `[source node id, output index]` rather than a literal value. */
export function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

/** Splits `"3.inputs.seed"` into its node id and input name; undefined when malformed. */
export function parseBindPath(path: string): { nodeId: string; input: string } | undefined {
  const match = /^([^.\s]+)\.inputs\.([^.\s]+)$/.exec(path);
  return match ? { nodeId: match[1], input: match[2] } : undefined;
}

/** Why `path` cannot receive a value in `graph`, or undefined when it can. */
export function bindPathProblem(graph: ApiWorkflow, path: string): string | undefined {
  const target = parseBindPath(path);
  if (!target) return `"${path}" is not "<node id>.inputs.<input name>"`;
  // Own keys only: "__proto__.inputs.x" or "3.inputs.constructor" must not reach Object.prototype.
  const node = Object.hasOwn(graph, target.nodeId) ? graph[target.nodeId] : undefined;
  if (!node) return `the workflow has no node "${target.nodeId}" (nodes: ${Object.keys(graph).join(', ')})`;
  if (!Object.hasOwn(node.inputs, target.input)) {
    return `node "${target.nodeId}" (${node.class_type}) has no input "${target.input}" (inputs: ${Object.keys(node.inputs).join(', ') || 'none'})`;
  }
  if (isLink(node.inputs[target.input])) return `input "${target.input}" of node "${target.nodeId}" is a link to another node, not a value`;
  return undefined;
}

/** A deep copy of a JSON-compatible value. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
