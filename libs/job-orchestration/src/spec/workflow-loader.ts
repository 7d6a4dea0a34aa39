import * as path from 'node:path';
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
import { getBuiltinWorkflow, isBuiltinWorkflowName } from '../workflow/builtin-templates';
import { placeWorkflowParams, type UnplacedParam } from '../workflow/place-params';
import type { ObjectInfo } from '../workflow/object-info';
import { convertUiWorkflow } from '../workflow/ui-to-api';
import { didYouMean } from './did-you-mean';
import type { JobSpec } from './job-spec.classes';
import { resolveInside } from './resolve-inside';
import type { SpecIssue } from './spec-issue';
import { prototypeSegmentProblem, workflowDataProblem } from './workflow-limits';

/** Reads a workflow file the spec points at (already resolved inside the spec's folder); throws when it cannot. */
export type ReadWorkflowFile = (absolutePath: string) => string;

/** What loading workflow files needs from the resolver's context. */
export interface WorkflowLoaderContext {
  baseDir: string;
  readWorkflowFile: ReadWorkflowFile;
  objectInfo?: ObjectInfo;
}

export interface LoadedWorkflow {
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

export interface OutputPick {
  output?: string;
  outputs?: 'all';
}

export class WorkflowLoader {
  private readonly cache = new Map<string, LoadedWorkflow | undefined>();
  private readonly used = new Set<string>();
  private readonly entries: Map<string, unknown>;

  constructor(
    spec: JobSpec,
    private readonly context: WorkflowLoaderContext,
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
    const unsafe = workflowDataProblem(data);
    if (unsafe) {
      this.report({ path: at, message: `${file} ${unsafe.problem}`, fix: unsafe.fix });
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
      const problems = paths.map((p) => prototypeSegmentProblem(p) ?? bindPathProblem(checked.workflow, p)).filter((p): p is string => p !== undefined);
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

function isObject<T>(value: T | undefined | null): value is T & object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
