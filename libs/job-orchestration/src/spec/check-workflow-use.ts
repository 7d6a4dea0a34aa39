import { bindPathProblem, bindTargets, parseBindPath, WORKFLOW_PARAMS, type ApiWorkflow, type WorkflowParam, type WorkflowTemplate } from '../workflow/api-workflow';
import { BUILTIN_REQUIRED_PARAMS } from '../workflow/builtin-templates';
import { chooseOutputs, type OutputChoice } from '../workflow/output-nodes';
import type { ObjectInfo } from '../workflow/object-info';
import { readWorkflowSeed } from '../workflow/workflow-seed';
import type { GenerationParamsSpec, ItemSpec, StepSpec } from './job-spec.classes';
import { resolveInside } from './resolve-inside';
import type { SpecIssue } from './spec-issue';
import type { LoadedWorkflow, OutputPick } from './workflow-loader';

// How an item uses its workflow, checked by the resolver: placement, seed, set:, outputs, input files.

type Report = (issue: Omit<SpecIssue, 'kind'>) => void;

export type WidgetValues = Record<string, string | number | boolean>;

/** Every parameter the spec sets must have a place; built-ins need checkpoint and prompt; a child workflow a LoadImage. */
export function checkPlacement(
  workflow: LoadedWorkflow,
  role: 'base' | 'child',
  explicit: Array<[WorkflowParam, string]>,
  at: string,
  workflowAt: string | undefined,
  report: Report,
): void {
  const template = workflow.template;
  if (!template) return;
  for (const [param, where] of explicit) {
    if (param === 'negative_prompt' && workflow.noNegative && !bindTargets(template.bindings, param).length) {
      report({ path: where, message: `cannot be used with ${workflow.label}: ${workflow.noNegative}`, fix: 'remove negative_prompt (or give the workflow a negative text encoder)' });
      continue;
    }
    if (bindTargets(template.bindings, param).length) continue;
    if (param === 'denoise' && role === 'base') continue;
    const reason = workflow.unplaced.find((u) => u.param === param)?.reason ?? 'no input receives it';
    report({ path: where, message: `cannot be placed in ${workflow.label} (${reason})`, fix: `${workflow.bindHint(param)}; or remove ${param}` });
  }
  if (template.source.startsWith('builtin:')) {
    const set = new Set(explicit.map(([param]) => param));
    for (const param of BUILTIN_REQUIRED_PARAMS) {
      if (!set.has(param)) {
        report({ path: `${at}.${param}`, message: 'is required by the built-in workflows (txt2img, img2img)', fix: `set defaults.${param} or ${at}.${param}` });
      }
    }
  }
  const refAt = workflowAt ?? at;
  if (role === 'child' && !bindTargets(template.bindings, 'image').length) {
    const reason = workflow.unplaced.find((u) => u.param === 'image')?.reason ?? 'no LoadImage input';
    report({ path: refAt, message: `${workflow.label} cannot take the parent image of child generations (${reason})`, fix: `${workflow.bindHint('image')} (a LoadImage input)` });
  }
}

/** `image:` / `mask:` of an entry (or the defaults): resolved inside the spec's folder and hashed. */
export function resolveInputFiles(
  entry: ItemSpec | StepSpec,
  defaults: Partial<GenerationParamsSpec>,
  at: string,
  context: { baseDir: string; hashInputFile?: (absolutePath: string) => string },
  report: Report,
): Partial<Record<'image' | 'mask', { path: string; sha256: string }>> {
  const files: Partial<Record<'image' | 'mask', { path: string; sha256: string }>> = {};
  for (const key of ['image', 'mask'] as const) {
    const file = entry[key] ?? defaults[key];
    if (typeof file !== 'string') continue;
    const where = entry[key] !== undefined ? `${at}.${key}` : `defaults.${key}`;
    const absolute = resolveInside(context.baseDir, file);
    if (!absolute.ok) {
      report({ path: where, message: absolute.problem, value: file, fix: 'give a path relative to the spec file, inside its folder' });
      continue;
    }
    if (!context.hashInputFile) {
      report({ path: where, message: 'input files cannot be read here', fix: 'load the spec from a file' });
      continue;
    }
    try {
      files[key] = { path: absolute.path, sha256: context.hashInputFile(absolute.path) };
    } catch (error) {
      report({ path: where, message: `cannot read ${absolute.path}: ${(error as Error).message}`, value: file, fix: 'check the path (it is relative to the spec file)' });
    }
  }
  return files;
}

/** What {@link checkOutputs} needs besides the pick. */
export interface OutputCheckContext {
  /** The server's `/object_info`: any `output_node` with an IMAGE input is an image output. */
  objectInfo?: ObjectInfo;
  /** The entry's `set:` values: a `batch_size` set there counts. */
  widgets: WidgetValues;
  /** A pipeline step: each job is one candidate, so it must yield exactly one image. */
  pipeline: boolean;
}

/** Which image outputs a job keeps: the item's choice, else the workflow entry's, else the only one. */
export function checkOutputs(workflow: LoadedWorkflow, itemPick: OutputPick, at: string, report: Report, context: OutputCheckContext): OutputChoice | undefined {
  const template = workflow.template as WorkflowTemplate;
  const itemChose = itemPick.output !== undefined || itemPick.outputs !== undefined;
  const pick = itemChose ? itemPick : workflow.outputPick ?? {};
  const chosen = chooseOutputs(withWidgets(template.graph, context.widgets), pick, context.objectInfo);
  if (!chosen.ok) {
    report({ path: at, message: `${workflow.label} ${chosen.problem}`, fix: chosen.fix });
    return undefined;
  }
  const { nodes, batchSize } = chosen.choice;
  if (context.pipeline && (nodes.length > 1 || batchSize > 1)) {
    // A pipeline job is one candidate to select and grow children from; more images would not be candidates.
    const what = nodes.length > 1 ? `${nodes.length} output nodes (${nodes.map((n) => n.id).join(', ')})` : `a batch of ${batchSize} (batch_size)`;
    report({
      path: at,
      message: `${workflow.label} yields ${what} per job, but each job of a pipeline step is one candidate, so only one image could be selected`,
      fix: `${nodes.length > 1 ? `choose one with output: "${nodes[0].id}"` : 'set batch_size to 1 (e.g. with set:)'} and raise count instead`,
    });
    return undefined;
  }
  return chosen.choice;
}

/** The graph as a job would submit it after `set:` (only for reading: shallow copies of the nodes it changes). */
function withWidgets(graph: ApiWorkflow, widgets: WidgetValues): ApiWorkflow {
  const copy: ApiWorkflow = { ...graph };
  for (const [path, value] of Object.entries(widgets)) {
    const target = parseBindPath(path);
    if (!target || !Object.hasOwn(copy, target.nodeId)) continue;
    const node = copy[target.nodeId];
    copy[target.nodeId] = { ...node, inputs: { ...node.inputs, [target.input]: value } };
  }
  return copy;
}

/** The seed must reach the graph, or the spec must keep (and so record) the graph's own. */
export function checkSeed(
  workflow: LoadedWorkflow,
  seed: number | 'random' | 'workflow',
  at: string,
  byDefault: boolean,
  report: Report,
): void {
  const template = workflow.template;
  if (!template) return;
  if (seed === 'workflow') {
    if (readWorkflowSeed(template) === undefined) {
      const reason = workflow.unplaced.find((u) => u.param === 'seed')?.reason ?? 'no seed input holds a number';
      report({ path: at, message: `is "workflow" but ${workflow.label} has no seed Kiln can read and record (${reason})`, fix: workflow.bindHint('seed') });
    }
    return;
  }
  if (bindTargets(template.bindings, 'seed').length) return;
  const reason = workflow.unplaced.find((u) => u.param === 'seed')?.reason ?? 'no input receives it';
  const what = byDefault ? `(unset: a random seed per image) cannot be placed in ${workflow.label}` : `cannot be placed in ${workflow.label}`;
  report({
    path: at,
    message: `${what} (${reason}), so the recorded seed would not be the one used`,
    fix: `${workflow.bindHint('seed')}; or set seed: workflow to keep and record the workflow's own seed`,
  });
}

/** `set:` entries must name a value input of the workflow, and must not fight a placed parameter. */
export function checkWidgets(workflow: LoadedWorkflow, widgets: WidgetValues, where: (key: string) => string, report: Report): void {
  const template = workflow.template;
  if (!template) return;
  const placed = new Map<string, WorkflowParam>();
  for (const param of WORKFLOW_PARAMS) for (const path of bindTargets(template.bindings, param)) placed.set(path, param);
  for (const key of Object.keys(widgets)) {
    const problem = bindPathProblem(template.graph, key);
    const owner = placed.get(key);
    if (problem) report({ path: `${where(key)}["${key}"]`, message: `${problem} in ${workflow.label}`, fix: 'point it at a value input of a node in that workflow' });
    else if (owner) report({ path: `${where(key)}["${key}"]`, message: `is where Kiln places ${owner} in ${workflow.label}`, fix: `set ${owner}: instead` });
  }
}

export function mergeWidgets(defaults: unknown, own: unknown): WidgetValues {
  const merged: WidgetValues = {};
  for (const map of [defaults, own]) {
    if (typeof map !== 'object' || map === null || Array.isArray(map)) continue;
    for (const [key, value] of Object.entries(map)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') merged[key] = value;
    }
  }
  return merged;
}
