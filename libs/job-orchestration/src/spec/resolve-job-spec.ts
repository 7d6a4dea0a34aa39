import * as path from 'node:path';
import { slugify } from '../naming/slugify';
import { bindTargets, type WorkflowParam } from '../workflow/api-workflow';
import type { ObjectInfo } from '../workflow/object-info';
import { checkOutputs, checkPlacement, checkSeed, checkWidgets, mergeWidgets, resolveInputFiles } from './check-workflow-use';
import type { GenerationParamsSpec, ItemSpec, JobSpec, StepSpec } from './job-spec.classes';
import type { ResolvedJobSpec, ResolvedStep, SeedPolicy, StepParams } from './resolved-job-spec';
import type { SpecIssue } from './spec-issue';
import { outputDirProblem } from './output-dir-check';
import { checkOutputNameCollisions, checkTotalImages, DEFAULT_MAX_IMAGES_PER_SPEC, deviceNameProblem } from './output-name-checks';
import { WorkflowLoader, type LoadedWorkflow, type OutputPick, type ReadWorkflowFile } from './workflow-loader';

export interface ResolveJobSpecContext {
  /** Folder of the spec file: every relative path in the spec is relative to it. */
  baseDir: string;
  readWorkflowFile: ReadWorkflowFile;
  /** Most images the spec may ask for (KILN_MAX_IMAGES); default {@link DEFAULT_MAX_IMAGES_PER_SPEC}. */
  maxImages?: number;
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
  const placed: Array<{ at: string; step: ResolvedStep }> = [];
  entries.forEach((entry, index) => {
    if (!isObject(entry)) return;
    const at = `${listKey}[${index}]`;
    const slug = typeof entry.name === 'string' ? checkSlug(entry.name, `${at}.name`, slugOwners, report) : undefined;
    const step = resolveEntry(entry, at, kind, defaults, workflows, report, context);
    if (slug && step) {
      steps.push({ ...step, name: slug });
      placed.push({ at, step: { ...step, name: slug } });
    }
  });
  checkOutputNameCollisions(placed, report);
  checkTotalImages(placed, context.maxImages ?? DEFAULT_MAX_IMAGES_PER_SPEC, report);

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
  const outputContext = { objectInfo: context.objectInfo, widgets, pipeline: kind === 'pipeline' };
  const baseOutputs = base?.template ? checkOutputs(base, itemPick, pickAt, report, outputContext) : undefined;
  const childOutputs = child?.template ? checkOutputs(child, {}, step.child_workflow !== undefined ? `${at}.child_workflow` : at, report, outputContext) : undefined;

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

function checkSlug(name: string, at: string, owners: Map<string, string>, report: (issue: Omit<SpecIssue, 'kind'>) => void): string | undefined {
  const slug = slugify(name);
  if (!slug) {
    report({ path: at, message: 'has no letters or digits, so it gives an empty file name', value: name, fix: 'use a name with letters (a-z) or digits' });
    return undefined;
  }
  const device = deviceNameProblem(slug);
  if (device) {
    report({ path: at, message: device, value: name, fix: 'rename it (e.g. add a word)' });
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
  const dir = path.resolve(baseDir, spec.output.dir);
  const problem = outputDirProblem(dir);
  if (problem) {
    report({ path: 'output.dir', message: problem, value: spec.output.dir, fix: 'point output.dir at a folder (or a path where one can be made)' });
    return undefined;
  }
  return dir;
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
