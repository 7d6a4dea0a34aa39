import * as path from 'node:path';
import { slugify } from '../naming/slugify';
import {
  bindPathProblem,
  bindTargets,
  checkApiWorkflow,
  parseBindPath,
  WORKFLOW_PARAMS,
  type WorkflowBindings,
  type WorkflowParam,
  type WorkflowTemplate,
} from '../workflow/api-workflow';
import { bindFix } from '../workflow/bind-suggestions';
import { BUILTIN_REQUIRED_PARAMS, getBuiltinWorkflow, isBuiltinWorkflowName } from '../workflow/builtin-templates';
import { chooseOutputs, type OutputChoice } from '../workflow/output-nodes';
import { placeWorkflowParams, type UnplacedParam } from '../workflow/place-params';
import { convertUiWorkflow, type ObjectInfo } from '../workflow/ui-to-api';
import { readWorkflowSeed } from '../workflow/workflow-seed';
import { didYouMean } from './did-you-mean';
import type { GenerationParamsSpec, ItemSpec, JobSpec, StepSpec } from './job-spec.classes';
import type { ResolvedJobSpec, ResolvedStep, SeedPolicy, StepParams } from './resolved-job-spec';
import type { SpecIssue } from './spec-issue';

/** Reads a workflow file the spec points at (already resolved inside the spec's folder); throws when it cannot. */
export type ReadWorkflowFile = (absolutePath: string) => string;

export interface ResolveJobSpecContext {
  /** Folder of the spec file: every relative path in the spec is relative to it. */
  baseDir: string;
  readWorkflowFile: ReadWorkflowFile;
  /** sha256 of an input image the spec points at (already resolved inside the spec's folder); throws when it cannot. */
  hashInputFile?: (absolutePath: string) => string;
  /** The server's `/object_info`: with it, UI-format workflow files are converted to the API format. */
  objectInfo?: ObjectInfo;
}

const DEFAULT_CHILD_DENOISE = 0.6;

type GenerationKey = Exclude<keyof GenerationParamsSpec, 'workflow' | 'timeout' | 'set' | 'output' | 'outputs'>;

// Spec key → workflow parameter (and StepParams field) it feeds.
const PLACEABLE: Array<[GenerationKey, WorkflowParam, keyof StepParams]> = [
  ['prompt', 'prompt', 'prompt'],
  ['negative_prompt', 'negative_prompt', 'negativePrompt'],
  ['checkpoint', 'checkpoint', 'checkpoint'],
  ['width', 'width', 'width'],
  ['height', 'height', 'height'],
  ['steps', 'steps', 'steps'],
  ['cfg', 'cfg', 'cfg'],
  ['sampler', 'sampler', 'sampler'],
  ['scheduler', 'scheduler', 'scheduler'],
  ['seed', 'seed', 'seed'],
];

interface LoadedWorkflow {
  template?: WorkflowTemplate;
  unplaced: UnplacedParam[];
  /** Why the workflow has no negative prompt (its negative ends in ConditioningZeroOut). */
  noNegative?: string;
  /** How to bind a parameter of this workflow, for error fixes: the nodes that could take it and the lines to paste. */
  bindHint: (param: WorkflowParam) => string;
  label: string;
  /** `output:` / `outputs:` of the `workflows:` entry, the default for items that choose none. */
  outputPick?: OutputPick;
}

interface OutputPick {
  output?: string;
  outputs?: 'all';
}

type WidgetValues = Record<string, string | number | boolean>;

/**
 * Checks what class validation cannot (items xor steps, slugs, workflow references, parameter
 * placement, paths) and builds the resolved spec. Tolerates fields that failed class validation
 * (it skips them) so that every problem is reported in one pass.
 */
export function resolveJobSpec(
  spec: JobSpec,
  source: Record<string, unknown>,
  context: ResolveJobSpecContext,
): { issues: SpecIssue[]; resolved?: ResolvedJobSpec } {
  const issues: SpecIssue[] = [];
  const report = (issue: Omit<SpecIssue, 'kind'>) => issues.push({ kind: 'invalid', ...issue });
  const workflows = new WorkflowLoader(spec, context, report);

  const hasItems = Array.isArray(spec.items);
  const hasSteps = Array.isArray(spec.steps);
  if (hasItems && hasSteps) {
    report({ path: 'steps', message: 'a spec has items (a batch) or steps (a pipeline), not both', fix: 'move the steps to their own job file' });
  } else if (!hasItems && !hasSteps && spec.items === undefined && spec.steps === undefined) {
    report({ path: 'items', message: 'is required (or steps, for a pipeline)', fix: 'add items: with at least one entry' });
  }
  const kind = hasSteps && !hasItems ? 'pipeline' : 'batch';
  const listKey = kind === 'pipeline' ? 'steps' : 'items';
  // Not a list (e.g. `items: nope`): the shape check names it; here there is nothing to resolve.
  const listed: unknown = kind === 'pipeline' ? spec.steps : spec.items;
  const entries: Array<ItemSpec | StepSpec> = Array.isArray(listed) ? listed : [];
  const defaults: Partial<GenerationParamsSpec> = isObject(spec.defaults) ? spec.defaults : {};

  const slugOwners = new Map<string, string>();
  const steps: ResolvedStep[] = [];
  entries.forEach((entry, index) => {
    if (!isObject(entry)) return;
    const at = `${listKey}[${index}]`;
    const slug = typeof entry.name === 'string' ? checkSlug(entry.name, `${at}.name`, slugOwners, report) : undefined;
    const step = resolveEntry(entry, at, kind, defaults, workflows, report, context);
    if (slug && step) steps.push({ ...step, name: slug });
  });

  const outputDir = resolveOutputDir(spec, context.baseDir, report);
  workflows.checkUnusedEntries();
  if (issues.length || outputDir === undefined) return { issues: dedupe(issues) };
  const overwrite = spec.output.overwrite ?? false;
  return {
    issues: [],
    resolved: {
      kind,
      outputDir,
      overwrite,
      baseSeed: typeof defaults.seed === 'number' ? defaults.seed : null,
      steps: steps.map((step) => ({ ...step, overwrite })),
      checkpoints: collectCheckpoints(steps),
      notes: workflows.notes,
      source,
    },
  };
}

function resolveEntry(
  entry: ItemSpec | StepSpec,
  at: string,
  kind: 'batch' | 'pipeline',
  defaults: Partial<GenerationParamsSpec>,
  workflows: WorkflowLoader,
  report: (issue: Omit<SpecIssue, 'kind'>) => void,
  context: ResolveJobSpecContext,
): Omit<ResolvedStep, 'name'> | undefined {
  const setAt = (key: keyof StepSpec): string | undefined =>
    (entry as StepSpec)[key] !== undefined ? `${at}.${key}` : (defaults as StepSpec)[key] !== undefined ? `defaults.${key}` : undefined;
  const value = <K extends keyof GenerationParamsSpec>(key: K): GenerationParamsSpec[K] => entry[key] ?? defaults[key];

  const workflowName = value('workflow') ?? 'txt2img';
  const base = workflows.load(workflowName, setAt('workflow') ?? `${at}.workflow`);
  if (workflowName === 'img2img') {
    report({ path: setAt('workflow') ?? at, message: 'img2img needs an input image, which only child generations have', fix: 'use txt2img here (and img2img as child_workflow of a pipeline step)' });
  }
  const explicit: Array<[GenerationKey, WorkflowParam, keyof StepParams]> = PLACEABLE.filter(([key]) => value(key) !== undefined && key !== 'seed');
  // In a batch, denoise is the base images' own; a pipeline step's denoise belongs to its children.
  if (kind === 'batch' && value('denoise') !== undefined) explicit.push(['denoise', 'denoise', 'denoise']);
  if (kind === 'pipeline' && defaults.denoise !== undefined) {
    report({ path: 'defaults.denoise', message: 'is the denoise of batch items; a pipeline step sets the denoise of its children itself', fix: 'move it to each step (steps[n].denoise)' });
  }
  const inputs = resolveInputFiles(entry, defaults, at, context, report);
  for (const input of ['image', 'mask'] as const) if (inputs[input]) explicit.push([input, input, input]);
  const seed = value('seed') ?? 'random';
  // The seed is always placed (a default random seed too): a recorded seed that never reached the graph would be a lie.
  const seedAt = setAt('seed') ?? `${at}.seed`;
  const widgets = mergeWidgets(defaults.set, entry.set);
  if (base) {
    checkPlacement(base, 'base', explicit.map(([key, param]) => [param, setAt(key) ?? at]), at, setAt('workflow'), report);
    checkSeed(base, seed, seedAt, setAt('seed') === undefined, report);
    checkWidgets(base, widgets, (key) => (entry.set?.[key] !== undefined ? `${at}.set` : 'defaults.set'), report);
  }

  let child: LoadedWorkflow | undefined;
  const step = entry as StepSpec;
  const children = kind === 'pipeline' && Number.isInteger(step.children) ? step.children ?? 0 : 0;
  if (kind === 'pipeline' && children > 0) {
    const childName = step.child_workflow ?? 'img2img';
    child = workflows.load(childName, step.child_workflow !== undefined ? `${at}.child_workflow` : `${at}.children`);
    const childParams = explicit
      .filter(([key]) => key !== 'width' && key !== 'height')
      .map(([key, param]): [WorkflowParam, string] => [param, setAt(key) ?? at]);
    if (step.denoise !== undefined) childParams.push(['denoise', `${at}.denoise`]);
    if (child) {
      checkPlacement(child, 'child', childParams, at, step.child_workflow !== undefined ? `${at}.child_workflow` : undefined, report);
      checkSeed(child, seed, seedAt, setAt('seed') === undefined, report);
      checkWidgets(child, widgets, (key) => (entry.set?.[key] !== undefined ? `${at}.set` : 'defaults.set'), report);
    }
  }

  const itemPick: OutputPick = { output: value('output'), outputs: value('outputs') };
  const pickAt = setAt('output') ?? setAt('outputs') ?? setAt('workflow') ?? at;
  const baseOutputs = base?.template ? checkOutputs(base, itemPick, pickAt, report) : undefined;
  const childOutputs = child?.template ? checkOutputs(child, {}, step.child_workflow !== undefined ? `${at}.child_workflow` : at, report) : undefined;

  if (!base?.template || !baseOutputs || (child && (!child.template || !childOutputs))) return undefined;
  const params: StepParams = { displayName: entry.name, seed: seedPolicy(seed) };
  if (Object.keys(widgets).length) params.set = widgets;
  // No timeout in the file: left unset, so the configured default applies when the job is created.
  const timeout = value('timeout');
  if (timeout !== undefined) params.timeoutSeconds = timeout;
  for (const [key, , field] of PLACEABLE) {
    const v = value(key);
    if (v !== undefined && field !== 'seed') (params as unknown as Record<string, unknown>)[field] = v;
  }
  if (kind === 'batch' && value('denoise') !== undefined) params.denoise = value('denoise');
  for (const input of ['image', 'mask'] as const) {
    const file = inputs[input];
    if (file) Object.assign(params, { [input]: file.path, [`${input}Sha256`]: file.sha256 });
  }
  if (child) params.denoise = step.denoise ?? DEFAULT_CHILD_DENOISE;
  return {
    baseCount: kind === 'pipeline' ? step.count : (entry as ItemSpec).count ?? 1,
    childrenPerSelected: children,
    naming: kind === 'pipeline' ? 'unique' : 'deterministic',
    overwrite: false,
    workflow: child?.template
      ? { base: { ...base.template, outputs: baseOutputs }, child: { ...child.template, outputs: childOutputs } }
      : { base: { ...base.template, outputs: baseOutputs } },
    params,
  };
}

function checkPlacement(
  workflow: LoadedWorkflow,
  role: 'base' | 'child',
  explicit: Array<[WorkflowParam, string]>,
  at: string,
  workflowAt: string | undefined,
  report: (issue: Omit<SpecIssue, 'kind'>) => void,
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
function resolveInputFiles(
  entry: ItemSpec | StepSpec,
  defaults: Partial<GenerationParamsSpec>,
  at: string,
  context: ResolveJobSpecContext,
  report: (issue: Omit<SpecIssue, 'kind'>) => void,
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

/** Which image outputs a job keeps: the item's choice, else the workflow entry's, else the only one. */
function checkOutputs(workflow: LoadedWorkflow, itemPick: OutputPick, at: string, report: (issue: Omit<SpecIssue, 'kind'>) => void): OutputChoice | undefined {
  const template = workflow.template as WorkflowTemplate;
  const itemChose = itemPick.output !== undefined || itemPick.outputs !== undefined;
  const pick = itemChose ? itemPick : workflow.outputPick ?? {};
  const chosen = chooseOutputs(template.graph, pick);
  if (chosen.ok) return chosen.choice;
  report({ path: at, message: `${workflow.label} ${chosen.problem}`, fix: chosen.fix });
  return undefined;
}

/** The seed must reach the graph, or the spec must keep (and so record) the graph's own. */
function checkSeed(
  workflow: LoadedWorkflow,
  seed: number | 'random' | 'workflow',
  at: string,
  byDefault: boolean,
  report: (issue: Omit<SpecIssue, 'kind'>) => void,
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
function checkWidgets(workflow: LoadedWorkflow, widgets: WidgetValues, where: (key: string) => string, report: (issue: Omit<SpecIssue, 'kind'>) => void): void {
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

function mergeWidgets(defaults: unknown, own: unknown): WidgetValues {
  const merged: WidgetValues = {};
  for (const map of [defaults, own]) {
    if (typeof map !== 'object' || map === null || Array.isArray(map)) continue;
    for (const [key, value] of Object.entries(map)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') merged[key] = value;
    }
  }
  return merged;
}

class WorkflowLoader {
  private readonly cache = new Map<string, LoadedWorkflow | undefined>();
  private readonly used = new Set<string>();
  private readonly entries: Map<string, unknown>;

  constructor(
    spec: JobSpec,
    private readonly context: ResolveJobSpecContext,
    private readonly report: (issue: Omit<SpecIssue, 'kind'>) => void,
  ) {
    this.entries = spec.workflows instanceof Map ? spec.workflows : new Map();
  }

  /** The workflow a `workflow:` value names, or undefined after reporting why it cannot be used. */
  load(reference: string, at: string): LoadedWorkflow | undefined {
    if (typeof reference !== 'string') return undefined;
    if (isBuiltinWorkflowName(reference)) {
      const template = getBuiltinWorkflow(reference);
      return { template, unplaced: [], label: `the built-in ${reference} workflow`, bindHint: () => 'use a user workflow with a bind for it' };
    }
    if (this.entries.has(reference)) {
      this.used.add(reference);
      return this.memo(`entry:${reference}`, () => this.loadEntry(reference));
    }
    if (/\.json$/i.test(reference) || reference.includes('/') || reference.includes('\\')) {
      return this.memo(`path:${reference}`, () => this.loadFile(reference, at, undefined, `workflow ${reference}`));
    }
    const guess = didYouMean(reference, ['txt2img', 'img2img', ...this.entries.keys()]);
    this.report({
      path: at,
      message: `unknown workflow${guess ? ` (did you mean ${guess}?)` : ''}`,
      value: reference,
      fix: 'use txt2img, img2img, the name of an entry under workflows:, or a relative path to an API-format .json',
    });
    return undefined;
  }

  checkUnusedEntries(): void {
    for (const name of this.entries.keys()) {
      if (isBuiltinWorkflowName(name)) {
        this.report({ path: `workflows.${name}`, message: 'shadows the built-in workflow of the same name', fix: 'rename the entry' });
      } else if (!this.used.has(name)) {
        this.memo(`entry:${name}`, () => this.loadEntry(name));
      }
    }
  }

  private memo(key: string, load: () => LoadedWorkflow | undefined): LoadedWorkflow | undefined {
    if (!this.cache.has(key)) this.cache.set(key, load());
    return this.cache.get(key);
  }

  private loadEntry(name: string): LoadedWorkflow | undefined {
    const entry = this.entries.get(name) as ({ file?: unknown; bind?: WorkflowBindings } & OutputPick) | undefined;
    if (!isObject(entry) || typeof entry.file !== 'string') return undefined;
    const bind = isObject(entry.bind) ? (entry.bind as WorkflowBindings) : {};
    const loaded = this.loadFile(entry.file, `workflows.${name}.file`, { name, bind }, `workflow "${name}"`);
    const picked = typeof entry.output === 'string' || entry.outputs === 'all';
    return loaded && picked ? { ...loaded, outputPick: { output: entry.output, outputs: entry.outputs } } : loaded;
  }

  /** Notes about workflow files (a saved POST /prompt body taken apart…), for the caller to show. */
  readonly notes: string[] = [];

  private loadFile(file: string, at: string, entry: { name: string; bind: WorkflowBindings } | undefined, label: string): LoadedWorkflow | undefined {
    const absolute = resolveInside(this.context.baseDir, file);
    if (!absolute.ok) {
      this.report({ path: at, message: absolute.problem, value: file, fix: 'give a path relative to the spec file, inside its folder' });
      return undefined;
    }
    let text: string;
    try {
      text = this.context.readWorkflowFile(absolute.path);
    } catch (error) {
      this.report({ path: at, message: `cannot read ${absolute.path}: ${(error as Error).message}`, value: file, fix: 'check the path (it is relative to the spec file)' });
      return undefined;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      this.report({ path: at, message: `${file} is not valid JSON: ${(error as Error).message}`, fix: 'export the workflow from ComfyUI with "Save (API)"' });
      return undefined;
    }
    if (isUiWorkflow(data)) {
      if (!this.context.objectInfo) {
        this.report({
          path: at,
          code: 'needs-object-info',
          message: `${file} is a UI-format workflow (ComfyUI's "Save"); converting it needs the server's /object_info, which an offline check does not read`,
          fix: 'validate or run it against a server (without --offline), or export it with "Save (API)"',
        });
        return undefined;
      }
      const converted = convertUiWorkflow(data, this.context.objectInfo);
      if (!converted.ok) {
        this.report({ path: at, message: `${file} (UI format) cannot be converted: ${converted.problem}`, fix: converted.fix });
        return undefined;
      }
      this.notes.push(`${file} is a UI-format workflow: converted to the API format with the server's /object_info`);
      data = converted.workflow;
    }
    const checked = checkApiWorkflow(data);
    if (!checked.ok) {
      this.report({ path: at, message: `${file} ${checked.problem}`, fix: checked.fix });
      return undefined;
    }
    if (checked.note) this.notes.push(`${file} ${checked.note}`);
    const placement = placeWorkflowParams(checked.workflow);
    const bindings: WorkflowBindings = { ...placement.bindings };
    let unplaced = placement.unplaced;
    for (const param of WORKFLOW_PARAMS) {
      const bound = entry?.bind[param];
      const paths = typeof bound === 'string' ? [bound] : Array.isArray(bound) ? bound : [];
      // Malformed paths are already reported by class validation.
      if (paths.length === 0 || !paths.every((p) => typeof p === 'string' && parseBindPath(p))) continue;
      const problems = paths.map((p) => bindPathProblem(checked.workflow, p)).filter((p): p is string => p !== undefined);
      if (problems.length) {
        this.report({ path: `workflows.${entry?.name}.bind.${param}`, message: problems.join('; '), value: bound, fix: 'point it at a value input of a node in that file' });
        continue;
      }
      bindings[param] = [...new Set(paths)];
      unplaced = unplaced.filter((u) => u.param !== param);
    }
    const bindAt = entry ? `workflows.${entry.name}.bind` : `workflows.<name>.bind (declare the file as workflows: { <name>: { file: ${file} } } and use workflow: <name>)`;
    const bindHint = (param: WorkflowParam) => bindFix(checked.workflow, param, bindAt);
    const source = path.relative(this.context.baseDir, absolute.path).split(path.sep).join('/');
    // A bound negative means the user chose where it goes, ZeroOut or not.
    const noNegative = bindTargets(bindings, 'negative_prompt').length ? undefined : placement.noNegative;
    return { template: { source, graph: checked.workflow, bindings }, unplaced, noNegative, bindHint, label };
  }
}

function isUiWorkflow(data: unknown): data is { nodes: unknown[]; links: unknown } {
  return typeof data === 'object' && data !== null && Array.isArray((data as { nodes?: unknown }).nodes) && 'links' in data;
}

function checkSlug(name: string, at: string, owners: Map<string, string>, report: (issue: Omit<SpecIssue, 'kind'>) => void): string | undefined {
  const slug = slugify(name);
  if (!slug) {
    report({ path: at, message: 'has no letters or digits, so it gives an empty file name', value: name, fix: 'use a name with letters (a-z) or digits' });
    return undefined;
  }
  const owner = owners.get(slug);
  if (owner) {
    report({ path: at, message: `slugs to "${slug}", like ${owner}: their output names would collide`, value: name, fix: 'rename one of them' });
    return undefined;
  }
  owners.set(slug, at);
  return slug;
}

function resolveOutputDir(spec: JobSpec, baseDir: string, report: (issue: Omit<SpecIssue, 'kind'>) => void): string | undefined {
  if (!isObject(spec.output) || typeof spec.output.dir !== 'string' || !spec.output.dir) return undefined;
  if (spec.output.dir.includes('\0')) {
    report({ path: 'output.dir', message: 'contains a NUL character', fix: 'use a plain folder path' });
    return undefined;
  }
  return path.resolve(baseDir, spec.output.dir);
}

/** Resolves a spec-relative path that must stay inside `baseDir`. */
export function resolveInside(baseDir: string, file: string): { ok: true; path: string } | { ok: false; problem: string } {
  if (file.includes('\0')) return { ok: false, problem: 'contains a NUL character' };
  if (path.isAbsolute(file) || /^[A-Za-z]:|^\\\\/.test(file)) return { ok: false, problem: 'must be relative to the spec file, not absolute' };
  const absolute = path.resolve(baseDir, file);
  const relative = path.relative(baseDir, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return { ok: false, problem: `resolves to ${absolute}, outside the spec's folder ${baseDir}` };
  }
  return { ok: true, path: absolute };
}

function seedPolicy(seed: number | 'random' | 'workflow'): SeedPolicy {
  return typeof seed === 'number' ? { mode: 'fixed', base: seed } : { mode: seed };
}

/** Every checkpoint a job of the spec will load: the spec's own, `set:` ones and those the graphs keep. */
function collectCheckpoints(steps: ResolvedStep[]): string[] {
  const names = new Set<string>();
  for (const step of steps) {
    for (const template of [step.workflow.base, step.workflow.child]) {
      if (!template) continue;
      const placed = new Set(step.params.checkpoint !== undefined ? bindTargets(template.bindings, 'checkpoint') : []);
      if (placed.size) names.add(step.params.checkpoint as string);
      for (const [id, node] of Object.entries(template.graph)) {
        const path = `${id}.inputs.ckpt_name`;
        if (placed.has(path) || !('ckpt_name' in node.inputs)) continue;
        const value = step.params.set?.[path] ?? node.inputs['ckpt_name'];
        if (typeof value === 'string') names.add(value);
      }
    }
  }
  return [...names].sort();
}

function dedupe(issues: SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isObject<T>(value: T | undefined | null): value is T & object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
