import { buildJobPayload, readStepParams, selectNextJob, type SelectNextJobResult } from '@kiln/job-orchestration';
import type { EntityManager } from 'typeorm';
import type { ComfyUiJob, ComfyUiJobPayload } from '../jobs/comfyui-job.entity';
import { createPendingJob, transitionJob } from '../jobs/job-ledger';
import { slotsHeldByOpenJobs } from '../jobs/job-slots';
import { capabilityKey } from '../preflight/capability-key';
import type { JobCommandDeps } from './job-command-deps';

export type CreateNextJobResult =
  | { kind: 'no_work' }
  /** A pending job, leased to this worker and recorded for `server`: post it next. */
  | { kind: 'created'; job: ComfyUiJob }
  /** The step's workflow could not be built: the job holds its slot as failed, retryable by a person. */
  | { kind: 'unbuildable'; job: ComfyUiJob; message: string }
  /** Only busy servers can run it: pending on no server, unleased, for the next free capable one. */
  | { kind: 'waiting'; job: ComfyUiJob }
  /** No server of the pool can run its workflow (preflight): failed, naming what each server lacks. */
  | { kind: 'unrunnable'; job: ComfyUiJob; message: string }
  /** The servers' catalogues are not read yet: nothing was created; try again later. */
  | { kind: 'deferred' };

/** Where a freshly built job goes: a server with a free slot that can run it, nowhere yet, or nowhere at all. */
type RouteDecision = { kind: 'server'; server: string } | { kind: 'wait' } | { kind: 'defer' } | { kind: 'impossible'; message: string };

/** Routes a built job; `key` names its workflow up to seed and names (see `capabilityKey`). */
export type RouteJob = (key: string, payload: ComfyUiJobPayload) => RouteDecision;

export interface CreateNextJobOptions {
  /** Work on this run only; default: every active run. */
  runId?: string;
  runKind?: 'batch' | 'pipeline';
  /** Seconds a job may take when its step sets no timeout. */
  defaultTimeoutSeconds: number;
}

type Selection = Exclude<SelectNextJobResult, { kind: 'no_work' }>;

// Thrown inside the transaction to roll back a selection whose job cannot be routed yet.
const DEFERRED = new Error('deferred: the catalogues are not read yet');

/**
 * One transaction: select the next slot, build its workflow, route it (`target`: a server, or a
 * function choosing one among those that can run it), insert the job (leased to this worker, its
 * server recorded: SubmitJob then needs no update before posting). A step that cannot be built, or
 * that no server can run, fails its slot (visible, retryable) instead of blocking the loop; a job
 * only busy servers can run is inserted unleased and waits; a database error is the caller's, and
 * rolls everything back.
 */
export async function createNextJob(target: string | RouteJob, deps: JobCommandDeps, options: CreateNextJobOptions): Promise<CreateNextJobResult> {
  let result: CreateNextJobResult;
  try {
    result = await deps.dataSource.transaction((tx) => createInTransaction(tx, target, deps, options));
  } catch (error) {
    if (error === DEFERRED) return { kind: 'deferred' };
    throw error;
  }
  if (result.kind === 'unbuildable' || result.kind === 'unrunnable') {
    const { job, message } = result;
    const label = job.jobPayload.label;
    deps.logger.error('job failed', { jobId: job.id, promptId: job.promptId, runId: job.pipelineRunId, server: null, label, error: message });
    deps.emit?.({ type: 'job_failed', jobId: job.id, runId: job.pipelineRunId, label, promptId: job.promptId, server: null, error: message });
  }
  return result;
}

async function createInTransaction(tx: EntityManager, target: string | RouteJob, deps: JobCommandDeps, options: CreateNextJobOptions): Promise<CreateNextJobResult> {
  const selection = await selectNextJob(tx, { jobSlots: slotsHeldByOpenJobs, runId: options.runId, runKind: options.runKind });
  if (selection.kind === 'no_work') return selection;
  const label = labelOf(selection);
  const slot = {
    pipelineRunId: selection.run.id,
    pipelineStepId: selection.step.id,
    parentCandidateId: selection.kind === 'child_generation' ? selection.parent.id : null,
    slotIndex: selection.index,
    leaseOwner: deps.workerId,
    leaseMs: deps.leaseMs,
  };
  let payload: ComfyUiJobPayload;
  try {
    payload = buildPayload(selection, label, options.defaultTimeoutSeconds);
  } catch (error) {
    const job = await createPendingJob(tx, {
      ...slot,
      payload: { workflow: {}, uploads: [], outputName: selection.outputName, targetFolder: selection.run.targetFolder, seed: selection.seed, label, timeoutSeconds: 0, overwrite: false, summary: {} },
    });
    const message = `${label}: cannot build its workflow: ${(error as Error).message}`;
    await transitionJob(tx, job, 'failed', { errorMessage: message, completedAt: new Date(), leaseOwner: null, leaseExpiresAt: null });
    return { kind: 'unbuildable', job, message };
  }
  const route: RouteDecision =
    typeof target === 'string' ? { kind: 'server', server: target } : target(capabilityKey(selection.step.id, selection.kind === 'child_generation'), payload);
  if (route.kind === 'defer') throw DEFERRED;
  if (route.kind === 'wait') return { kind: 'waiting', job: await createPendingJob(tx, { ...slot, leaseOwner: undefined, payload }) };
  if (route.kind === 'impossible') {
    const job = await createPendingJob(tx, { ...slot, payload });
    const message = `${label}: ${route.message}`;
    await transitionJob(tx, job, 'failed', { errorMessage: message, completedAt: new Date(), leaseOwner: null, leaseExpiresAt: null });
    return { kind: 'unrunnable', job, message };
  }
  return { kind: 'created', job: await createPendingJob(tx, { ...slot, server: route.server, payload }) };
}

function buildPayload(selection: Selection, label: string, defaultTimeoutSeconds: number): ComfyUiJobPayload {
  const built = buildJobPayload({
    kind: selection.kind,
    run: selection.run,
    step: selection.step,
    parent: selection.kind === 'child_generation' ? selection.parent : null,
    seed: selection.seed,
    jobKey: selection.jobKey,
  });
  return {
    workflow: built.workflow,
    uploads: built.uploads.map((u) => ({ localPath: u.localPath, uploadName: u.uploadName, nodeId: u.target.nodeId, input: u.target.input, role: u.role })),
    outputName: selection.outputName,
    targetFolder: selection.run.targetFolder,
    seed: selection.seed,
    label,
    timeoutSeconds: built.timeoutSeconds ?? defaultTimeoutSeconds,
    overwrite: selection.step.overwrite,
    summary: { ...summaryOf(selection), placed: built.placed },
    outputs: built.outputs,
  };
}

/** The item or step a job belongs to, for people: `Name`, `Name #2`, `Name (child 1 of 0a1b2c3d)`. */
function labelOf(selection: Selection): string {
  const name = readStepParams(selection.step).displayName;
  if (selection.kind === 'child_generation') return `${name} (child ${selection.index + 1} of ${selection.parent.id.slice(0, 8)})`;
  return selection.step.baseCount > 1 ? `${name} #${selection.index + 1}` : name;
}

/** The parameters worth keeping with the candidate. */
function summaryOf(selection: Selection): Record<string, unknown> {
  // readStepParams cannot throw here: selectNextJob has read the same step's params.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { displayName, seed, timeoutSeconds, ...generation } = readStepParams(selection.step);
  return { step: selection.step.name, index: selection.index, seedMode: selection.seedMode, ...generation };
}
