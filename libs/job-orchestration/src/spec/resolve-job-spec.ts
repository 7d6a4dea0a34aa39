import * as path from 'node:path';
import { slugify } from '../naming/slugify';
import {
  bindPathProblem,
  checkApiWorkflow,
  parseBindPath,
  WORKFLOW_PARAMS,
  type WorkflowBindings,
  type WorkflowParam,
  type WorkflowTemplate,
} from '../workflow/api-workflow';
import { BUILTIN_REQUIRED_PARAMS, getBuiltinWorkflow, isBuiltinWorkflowName } from '../workflow/builtin-templates';
import { detectWorkflowBindings, type UnplacedParam } from '../workflow/detect-bindings';
import { didYouMean } from './did-you-mean';
import type { GenerationParamsSpec, ItemSpec, JobSpec, StepSpec } from './job-spec.classes';
import type { ResolvedJobSpec, ResolvedStep, SeedPolicy, StepParams } from './resolved-job-spec';
import type { SpecIssue } from './spec-issue';
import { outputDirProblem } from './output-dir-check';
import { checkOutputNameCollisions, checkTotalImages, DEFAULT_MAX_IMAGES_PER_SPEC, deviceNameProblem } from './output-name-checks';
import { prototypeSegmentProblem, workflowDataProblem } from './workflow-limits';

/** Reads a workflow file the spec points at (already resolved inside the spec's folder); throws when it cannot. */
export type ReadWorkflowFile = (absolutePath: string) => string;

export interface ResolveJobSpecContext {
  /** Folder of the spec file: every relative path in the spec is relative to it. */
  baseDir: string;
  readWorkflowFile: ReadWorkflowFile;
  /** Most images the spec may ask for (KILN_MAX_IMAGES); default {@link DEFAULT_MAX_IMAGES_PER_SPEC}. */
  maxImages?: number;
}

const DEFAULT_CHILD_DENOISE = 0.6;

type GenerationKey = Exclude<keyof GenerationParamsSpec, 'workflow' | 'timeout'>;

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
  /** How to bind a parameter of this workflow, for error fixes. */
  bindHint: (param: WorkflowParam) => string;
  label: string;
}

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
    const step = resolveEntry(entry, at, kind, defaults, workflows, report);
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
): Omit<ResolvedStep, 'name'> | undefined {
  const setAt = (key: keyof StepSpec): string | undefined =>
    (entry as StepSpec)[key] !== undefined ? `${at}.${key}` : (defaults as StepSpec)[key] !== undefined ? `defaults.${key}` : undefined;
  const value = <K extends keyof GenerationParamsSpec>(key: K): GenerationParamsSpec[K] => entry[key] ?? defaults[key];

  const workflowName = value('workflow') ?? 'txt2img';
  const base = workflows.load(workflowName, setAt('workflow') ?? `${at}.workflow`);
  if (workflowName === 'img2img') {
    report({ path: setAt('workflow') ?? at, message: 'img2img needs an input image, which only child generations have', fix: 'use txt2img here (and img2img as child_workflow of a pipeline step)' });
  }
  const explicit = PLACEABLE.filter(([key]) => value(key) !== undefined);
  if (base) checkPlacement(base, 'base', explicit.map(([key, param]) => [param, setAt(key) ?? at]), at, setAt('workflow'), report);

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
    if (child) checkPlacement(child, 'child', childParams, at, step.child_workflow !== undefined ? `${at}.child_workflow` : undefined, report);
  }

  if (!base?.template || (child && !child.template)) return undefined;
  const params: StepParams = { displayName: entry.name, seed: seedPolicy(value('seed')) };
  // No timeout in the file: left unset, so the configured default applies when the job is created.
  const timeout = value('timeout');
  if (timeout !== undefined) params.timeoutSeconds = timeout;
  for (const [key, , field] of PLACEABLE) {
    const v = value(key);
    if (v !== undefined && field !== 'seed') (params as unknown as Record<string, unknown>)[field] = v;
  }
  if (child) params.denoise = step.denoise ?? DEFAULT_CHILD_DENOISE;
  return {
    baseCount: kind === 'pipeline' ? step.count : (entry as ItemSpec).count ?? 1,
    childrenPerSelected: children,
    naming: kind === 'pipeline' ? 'unique' : 'deterministic',
    overwrite: false,
    workflow: child?.template ? { base: base.template, child: child.template } : { base: base.template },
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
    if (template.bindings[param]) continue;
    if (param === 'denoise' && role === 'base') continue;
    const reason = workflow.unplaced.find((u) => u.param === param)?.reason ?? 'no input receives it';
    report({ path: where, message: `cannot be placed in ${workflow.label} (${reason})`, fix: `${workflow.bindHint(param)}, or remove ${param}` });
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
  if (!template.bindings.filename_prefix) {
    report({ path: refAt, message: `${workflow.label} has no SaveImage node, so it produces no files Kiln can collect`, fix: 'add a SaveImage node to the workflow' });
  }
  if (role === 'child' && !template.bindings.image) {
    const reason = workflow.unplaced.find((u) => u.param === 'image')?.reason ?? 'no LoadImage input';
    report({ path: refAt, message: `${workflow.label} cannot take the parent image of child generations (${reason})`, fix: `${workflow.bindHint('image')} (a LoadImage input)` });
  }
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
    const entry = this.entries.get(name) as { file?: unknown; bind?: WorkflowBindings } | undefined;
    if (!isObject(entry) || typeof entry.file !== 'string') return undefined;
    const bind = isObject(entry.bind) ? (entry.bind as WorkflowBindings) : {};
    return this.loadFile(entry.file, `workflows.${name}.file`, { name, bind }, `workflow "${name}"`);
  }

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
    const unsafe = workflowDataProblem(data);
    if (unsafe) {
      this.report({ path: at, message: `${file} ${unsafe.problem}`, fix: unsafe.fix });
      return undefined;
    }
    const checked = checkApiWorkflow(data);
    if (!checked.ok) {
      this.report({ path: at, message: `${file} ${checked.problem}`, fix: checked.fix });
      return undefined;
    }
    const detected = detectWorkflowBindings(checked.workflow);
    const bindings: WorkflowBindings = { ...detected.bindings };
    for (const param of WORKFLOW_PARAMS) {
      const bindPath = entry?.bind[param];
      // Malformed paths are already reported by class validation.
      if (typeof bindPath !== 'string' || !parseBindPath(bindPath)) continue;
      const problem = prototypeSegmentProblem(bindPath) ?? bindPathProblem(checked.workflow, bindPath);
      if (problem) this.report({ path: `workflows.${entry?.name}.bind.${param}`, message: problem, value: bindPath, fix: 'point it at a value input of a node in that file' });
      else bindings[param] = bindPath;
    }
    const bindHint = (param: WorkflowParam) =>
      entry
        ? `bind it: workflows.${entry.name}.bind.${param}: "<node id>.inputs.<input name>"`
        : `declare the file under workflows: with bind.${param}: "<node id>.inputs.<input name>"`;
    const source = path.relative(this.context.baseDir, absolute.path).split(path.sep).join('/');
    return { template: { source, graph: checked.workflow, bindings }, unplaced: detected.unplaced, bindHint, label };
  }
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

function seedPolicy(seed: number | 'random' | undefined): SeedPolicy {
  return typeof seed === 'number' ? { mode: 'fixed', base: seed } : { mode: 'random' };
}

function collectCheckpoints(steps: ResolvedStep[]): string[] {
  const names = new Set<string>();
  for (const step of steps) {
    for (const template of [step.workflow.base, step.workflow.child]) {
      if (!template) continue;
      if (step.params.checkpoint !== undefined) {
        if (template.bindings.checkpoint) names.add(step.params.checkpoint);
        continue;
      }
      const own = template.bindings.checkpoint?.split('.inputs.');
      const value = own ? template.graph[own[0]]?.inputs[own[1]] : undefined;
      if (typeof value === 'string') names.add(value);
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
