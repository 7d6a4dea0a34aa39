import * as path from 'node:path';
import { countJobsByRun, isOpenJob, listRunJobs, resolveJobIdPrefix, retryFailedJobs } from '@kiln/comfyui';
import type { Database } from '@kiln/database';
import { jobSpecToPipelineRunInput } from '@kiln/job-orchestration';
import {
  countCandidatesByRun,
  createPipelineRun,
  getPipelineRun,
  listPipelineRuns,
  listRunCandidates,
  rejectCandidates,
  resolveCandidateIdPrefix,
  resolveRunIdPrefix,
  selectCandidates,
  type IdPrefixMatch,
  type ImageCandidate,
} from '@kiln/pipeline';
import type { DataSource, EntityManager } from 'typeorm';
import type { CliContext } from '../cli-context';
import { openComfySession } from '../comfyui/comfyui-session';
import type { CandidatesListOptions, JsonOption, PipelineStartOptions } from '../commands/option-types';
import type { CliConfig } from '../config/cli-config';
import { openKilnDatabase } from '../database/open-kiln-database';
import { CliError, ExitCode } from '../errors';
import { formatTable } from '../output/format';
import type { Reporter } from '../output/reporter';
import { checkSpec, type CheckedSpec } from '../spec-check/check-spec';
import { setUpCommand } from './command-setup';

/** `kiln pipeline start FILE`: validate, then register the run for `worker:serve`. */
export async function pipelineStartAction(ctx: CliContext, file: string, options: PipelineStartOptions): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  const check = { source: { file }, cwd: ctx.cwd, overrides: { maxImages: config.maxImages }, reporter };
  let checked: CheckedSpec | undefined;
  if (options.checkCheckpoints) {
    // One session: UI-format conversion and the preflight share each server's /object_info.
    const comfy = await openComfySession(config, reporter, ctx.env);
    try {
      checked = await checkSpec({ ...check, servers: { comfy } });
    } catch (error) {
      // A run is only rows in the database: it can be registered while ComfyUI is down, and the
      // worker waits for a server. A server that answers and cannot run the spec still stops here.
      if (!isUnreachable(error)) throw error;
      reporter.warn(
        `could not check the spec against ${comfy.label}: ${(error as Error).message.split('\n')[0]}\n` +
          '  the run is registered anyway; the worker waits for ComfyUI, and a missing model or node then fails its jobs (pass --no-check-checkpoints to skip this check)',
      );
    } finally {
      await comfy.close();
    }
  }
  // Without a server (--no-check-checkpoints, or none reachable) outputs are chosen by node class.
  const registered = (checked ?? (await checkSpec(check))).spec;
  return withDatabase(config, reporter, async (db) => {
    const run = await createPipelineRun(db.dataSource.manager, jobSpecToPipelineRunInput(registered, { name: path.basename(file) }));
    const images = registered.steps.reduce((sum, step) => sum + step.baseCount, 0);
    reporter.result(
      `registered ${registered.kind} run ${run.id} (${run.steps.length} step(s), ${images} base image(s)) in ${db.location}\n` +
        `next: nx run worker:serve   (with the same DATABASE_URL) generates it; watch with: kiln pipeline status ${run.id.slice(0, 8)}`,
      { runId: run.id, kind: registered.kind, steps: run.steps.map((s) => s.name), images, database: db.location },
    );
    return ExitCode.ok;
  });
}

function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'COMFYUI_UNREACHABLE' || code === 'COMFYUI_TIMEOUT';
}

/** `kiln pipeline status [RUN]`. */
export async function pipelineStatusAction(ctx: CliContext, runRef: string | undefined, options: JsonOption): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  return withDatabase(config, reporter, async (db) => {
    if (runRef) await showRun(db.dataSource, await resolveRunId(db.dataSource, runRef), reporter);
    else await showRuns(db.dataSource, reporter);
    return ExitCode.ok;
  });
}

/** `kiln candidates list RUN`. */
export async function candidatesListAction(ctx: CliContext, runRef: string, options: CandidatesListOptions): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  return withDatabase(config, reporter, async (db) => {
    const runId = await resolveRunId(db.dataSource, runRef);
    const run = await getPipelineRun(db.dataSource.manager, runId);
    const stepName = new Map(run.steps.map((s) => [s.id, s.name]));
    const candidates = await listRunCandidates(db.dataSource.manager, runId, options.status ? { status: options.status } : {});
    const rows = [['ID', 'STEP', 'GEN', 'PARENT', 'STATUS', 'SEED', 'FILE']];
    for (const c of candidates) rows.push([c.id, stepName.get(c.stepId) ?? '?', String(c.generation), c.parentId?.slice(0, 8) ?? '-', c.status, String(c.seed), c.imagePath]);
    const text = candidates.length ? formatTable(rows) : `run ${runId.slice(0, 8)} has no candidates${options.status ? ` in status ${options.status}` : ''} yet`;
    reporter.result(text, { runId, candidates: candidates.map((c) => candidateJson(c, stepName.get(c.stepId))) });
    return ExitCode.ok;
  });
}

export function candidatesSelectAction(ctx: CliContext, ids: string[], options: JsonOption): Promise<number> {
  return setCandidates(ctx, ids, options, 'selected');
}

export function candidatesRejectAction(ctx: CliContext, ids: string[], options: JsonOption): Promise<number> {
  return setCandidates(ctx, ids, options, 'rejected');
}

/** `kiln jobs retry ID…`: failed jobs back in the queue (or re-downloaded when the image was made). */
export async function jobsRetryAction(ctx: CliContext, ids: string[], options: JsonOption): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  return withDatabase(config, reporter, async (db) => {
    const results = await retryFailedJobs(db.dataSource.manager, await resolveIds(db.dataSource, 'job', ids));
    const lines = results.map((r) => `${r.jobId}  ${r.label}: ${r.action === 'reprocess' ? 'will be downloaded again' : 'queued again'}`);
    reporter.result(`${lines.join('\n')}\nthe worker (or a rerun of the batch) picks them up`, { retried: results });
    return ExitCode.ok;
  });
}

async function setCandidates(ctx: CliContext, ids: string[], options: JsonOption, status: 'selected' | 'rejected'): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  return withDatabase(config, reporter, async (db) => {
    const full = await resolveIds(db.dataSource, 'candidate', ids);
    const updated = status === 'selected' ? await selectCandidates(db.dataSource.manager, full) : await rejectCandidates(db.dataSource.manager, full);
    const hint = status === 'selected' ? '; the worker generates their children' : '';
    reporter.result(`${status} ${updated.length} candidate(s)${hint}`, { status, candidates: updated.map((c) => candidateJson(c)) });
    return ExitCode.ok;
  });
}

async function withDatabase(config: CliConfig, reporter: Reporter, work: (db: Database) => Promise<number>): Promise<number> {
  const db = await openKilnDatabase(config, reporter);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** Ids people type, with their owner's lookup and where to find them. */
const idKinds = {
  run: { resolve: resolveRunIdPrefix, hint: 'kiln pipeline status' },
  candidate: { resolve: resolveCandidateIdPrefix, hint: 'kiln candidates list RUN' },
  job: { resolve: resolveJobIdPrefix, hint: 'kiln pipeline status RUN' },
} satisfies Record<string, { resolve: (manager: EntityManager, prefix: string) => Promise<IdPrefixMatch>; hint: string }>;

/** A full id, or a unique prefix of one (as the tables print them). */
async function resolveId(dataSource: DataSource, kind: keyof typeof idKinds, ref: string): Promise<string> {
  const { resolve, hint } = idKinds[kind];
  if (!/^[0-9a-f-]{1,36}$/i.test(ref)) throw new CliError('INVALID_INPUT', `'${ref}' is not a ${kind} id (see ${hint})`);
  const match = await resolve(dataSource.manager, ref);
  switch (match.kind) {
    case 'found':
      return match.id;
    case 'not_found':
      throw new CliError('INVALID_INPUT', `no ${kind} with id ${ref} (see ${hint})`);
    case 'ambiguous':
      throw new CliError('INVALID_INPUT', `${kind} id ${ref} is ambiguous: ${match.candidates.join(', ')}; give more characters`);
  }
}

function resolveRunId(dataSource: DataSource, ref: string): Promise<string> {
  return resolveId(dataSource, 'run', ref);
}

async function resolveIds(dataSource: DataSource, kind: keyof typeof idKinds, refs: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const ref of refs) ids.push(await resolveId(dataSource, kind, ref));
  return ids;
}

async function showRuns(dataSource: DataSource, reporter: Reporter): Promise<void> {
  const runs = await listPipelineRuns(dataSource.manager);
  const counts = await jobCounts(dataSource);
  const rows = [['RUN', 'NAME', 'KIND', 'STATUS', 'IMAGES', 'JOBS OPEN', 'FAILED', 'CREATED']];
  const data = runs.map((run) => {
    const c = counts.get(run.id) ?? { candidates: 0, open: 0, failed: 0 };
    rows.push([run.id.slice(0, 8), run.name, run.kind, run.status, String(c.candidates), String(c.open), String(c.failed), run.createdAt.toISOString()]);
    return { runId: run.id, name: run.name, kind: run.kind, status: run.status, targetFolder: run.targetFolder, ...c, createdAt: run.createdAt };
  });
  reporter.result(runs.length ? formatTable(rows) : 'no runs yet: start one with kiln run FILE or kiln pipeline start FILE', { runs: data });
}

async function showRun(dataSource: DataSource, runId: string, reporter: Reporter): Promise<void> {
  const run = await getPipelineRun(dataSource.manager, runId);
  const candidates = await listRunCandidates(dataSource.manager, runId);
  const jobs = await listRunJobs(dataSource.manager, runId);
  const rows = [['STEP', 'BASE', 'CHILDREN/SEL', 'NEW', 'SELECTED', 'REJECTED', 'JOBS OPEN', 'FAILED']];
  const steps = run.steps.map((step) => {
    const of = candidates.filter((c) => c.stepId === step.id);
    const stepJobs = jobs.filter((j) => j.stepId === step.id);
    const count = (status: string) => of.filter((c) => c.status === status).length;
    const open = stepJobs.filter(isOpenJob).length;
    const failed = stepJobs.filter((j) => j.status === 'failed').length;
    rows.push([step.name, String(step.baseCount), String(step.childrenPerSelected), String(count('new')), String(count('selected')), String(count('rejected')), String(open), String(failed)]);
    return { name: step.name, baseCount: step.baseCount, childrenPerSelected: step.childrenPerSelected, new: count('new'), selected: count('selected'), rejected: count('rejected'), jobsOpen: open, jobsFailed: failed };
  });
  const failedJobs = jobs.filter((j) => j.status === 'failed');
  const lines = [
    `run ${run.id}  ${run.name}  (${run.kind}, ${run.status})  → ${run.targetFolder}`,
    formatTable(rows),
    ...(failedJobs.length ? ['failed jobs (retry with kiln jobs retry ID…):', ...failedJobs.map((j) => `  ${j.id}  ${j.errorMessage ?? j.label}`)] : []),
  ];
  reporter.result(lines.join('\n'), {
    runId: run.id,
    name: run.name,
    kind: run.kind,
    status: run.status,
    targetFolder: run.targetFolder,
    steps,
    failedJobs: failedJobs.map((j) => ({ jobId: j.id, label: j.label, error: j.errorMessage })),
  });
}

/** Candidates, open and failed jobs per run id; a run missing from the map has none of them. */
async function jobCounts(dataSource: DataSource): Promise<Map<string, { candidates: number; open: number; failed: number }>> {
  const [candidates, jobs] = await Promise.all([countCandidatesByRun(dataSource.manager), countJobsByRun(dataSource.manager)]);
  const counts = new Map<string, { candidates: number; open: number; failed: number }>();
  for (const runId of new Set([...candidates.keys(), ...jobs.keys()])) {
    const job = jobs.get(runId);
    counts.set(runId, { candidates: candidates.get(runId) ?? 0, open: job?.open ?? 0, failed: job?.failed ?? 0 });
  }
  return counts;
}

function candidateJson(c: ImageCandidate, step?: string): Record<string, unknown> {
  return { id: c.id, runId: c.runId, step, stepId: c.stepId, parentId: c.parentId, generation: c.generation, index: c.index, status: c.status, seed: c.seed, imagePath: c.imagePath };
}
