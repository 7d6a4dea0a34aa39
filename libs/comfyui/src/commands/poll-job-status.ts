import type { PromptStatus } from '../client/types';
import { ComfyUiError } from '../errors';
import type { ComfyUiJob } from '../jobs/comfyui-job.entity';
import { patchJob, transitionJob } from '../jobs/job-ledger';
import { markRunningByPromptId } from '../jobs/status-moves';
import type { JobCommandDeps } from './job-command-deps';
import { retryAfterBadResponse } from './retry-bad-response';
import { fail, scheduleRetry } from './submit-job';

export interface PollJobStatusResult {
  job: ComfyUiJob;
  /** What the server said (`unreachable` when it could not be asked). */
  state: PromptStatus['state'] | 'unreachable' | 'bad_response' | 'timed_out' | 'skipped';
  /** True only when the prompt completed: the caller runs ProcessJobResult next. */
  needsProcessing: boolean;
  /**
   * The completing update also took the processing lease for this worker: pass it on to
   * ProcessJobResult (`leaseHeld`), which then skips a second round trip to take it.
   */
  leaseHeld?: boolean;
}

export interface PollJobStatusOptions {
  now?: Date;
  /** ComfyUI reported the prompt done (WebSocket): ask history first, one request instead of two. */
  reportedDone?: boolean;
}

/**
 * Asks the job's server where its prompt is and moves the job along: running, completed (history
 * kept as result_metadata), failed (ComfyUI's execution error), or back to pending when the server
 * lost it (restart, cleared queue). A job past its timeout is interrupted or dequeued, then failed.
 */
export async function pollJobStatus(job: ComfyUiJob, deps: JobCommandDeps, options: PollJobStatusOptions = {}): Promise<PollJobStatusResult> {
  const now = options.now ?? new Date();
  const server = job.server;
  if (!server || (job.status !== 'submitted' && job.status !== 'running')) {
    return { job, state: 'skipped', needsProcessing: false };
  }
  // Waiting out the backoff after a bad answer (see retryAfterBadResponse).
  if (job.nextAttemptAt && job.nextAttemptAt.getTime() > now.getTime()) return { job, state: 'skipped', needsProcessing: false };
  const client = deps.clientFor(server);
  const startedPolling = Date.now();
  let status: PromptStatus;
  try {
    status = options.reportedDone ? await client.getFinishedPromptStatus(job.promptId) : await client.getPromptStatus(job.promptId);
  } catch (error) {
    if (error instanceof ComfyUiError && error.transient) {
      // The server may be restarting: the job stays in flight; the lost-prompt check decides later.
      deps.logger.warn('job status unavailable', { jobId: job.id, promptId: job.promptId, server, error: error.message });
      return { job, state: 'unreachable', needsProcessing: false };
    }
    if (error instanceof ComfyUiError && error.code === 'COMFYUI_BAD_RESPONSE') {
      const result = await retryAfterBadResponse(job, error, `reporting prompt ${job.promptId}`, deps);
      return { job: result.job, state: result.outcome === 'failed' ? 'failed' : 'bad_response', needsProcessing: false };
    }
    throw error;
  }
  deps.logger.debug('job status', {
    jobId: job.id,
    promptId: job.promptId,
    server,
    state: status.state,
    ms: Date.now() - startedPolling,
    sinceSubmitMs: job.submittedAt ? now.getTime() - job.submittedAt.getTime() : undefined,
  });
  const manager = deps.dataSource.manager;
  const label = job.jobPayload.label;

  switch (status.state) {
    case 'completed': {
      const updated = await transitionJob(manager, job, 'completed', {
        resultMetadata: status.history,
        nextAttemptAt: null,
        completedAt: now,
        startedAt: job.startedAt ?? now,
        leaseOwner: deps.workerId,
        leaseExpiresAt: new Date(now.getTime() + deps.leaseMs),
      });
      return { job: updated ?? job, state: 'completed', needsProcessing: Boolean(updated), leaseHeld: Boolean(updated) };
    }
    case 'failed': {
      const reason =
        status.reason === 'interrupted'
          ? `${label}: the prompt was interrupted on ${server}`
          : `${label}: ComfyUI failed the prompt on ${server}` +
            (status.error
              ? ` at node ${status.error.nodeId} (${status.error.nodeType}): ${status.error.exceptionType}: ${status.error.exceptionMessage.trim()}`
              : '');
      // Kept for diagnosis: the history holds ComfyUI's traceback of the failure.
      await patchJob(manager, job, { resultMetadata: status.history });
      const result = await fail(job, server, reason, status.reason === 'interrupted' ? 'interrupted' : 'execution_error', deps);
      return { job: result.job, state: 'failed', needsProcessing: false };
    }
    case 'unknown': {
      const result = await scheduleRetry(job, server, `prompt ${job.promptId} of ${label} was lost by ${server} (in neither queue nor history)`, deps, 'lost');
      return { job: result.job, state: 'unknown', needsProcessing: false };
    }
    case 'running': {
      if (job.status === 'submitted') {
        const updated = await transitionJob(manager, job, 'running', { startedAt: now });
        if (updated) {
          deps.emit?.({ type: 'job_running', jobId: job.id, runId: job.pipelineRunId, label, promptId: job.promptId, server });
        }
        return { job, state: 'running', needsProcessing: false };
      }
      if (isPastTimeout(job, status, now)) return timeOut(job, 'running', deps);
      return { job, state: 'running', needsProcessing: false };
    }
    case 'queued': {
      if (isPastTimeout(job, status, now)) return timeOut(job, 'queued', deps);
      return { job, state: 'queued', needsProcessing: false };
    }
  }
}

/**
 * Marks the job of a prompt running as soon as its server says it started (WebSocket
 * `execution_start`), and reports it.
 */
export async function markPromptRunning(promptId: string, deps: JobCommandDeps, now = new Date()): Promise<boolean> {
  const job = await markRunningByPromptId(deps.dataSource.manager, promptId, now);
  if (!job) return false;
  deps.emit?.({ type: 'job_running', jobId: job.id, runId: job.pipelineRunId, label: job.label, promptId, server: job.server });
  return true;
}

/**
 * A running prompt times out `timeoutSeconds` after it started. A queued one waits its turn: it
 * gets one timeout per prompt ahead of it plus its own and one spare, so an item stuck behind a
 * hung prompt is not blamed for it (the hung one is interrupted first and the queue moves on).
 */
function isPastTimeout(job: ComfyUiJob, status: PromptStatus, now: Date): boolean {
  const limitMs = job.jobPayload.timeoutSeconds * 1000;
  if (status.state === 'running') {
    const since = job.startedAt ?? job.submittedAt;
    return since !== null && now.getTime() - since.getTime() > limitMs;
  }
  if (status.state === 'queued' && job.submittedAt) {
    return now.getTime() - job.submittedAt.getTime() > limitMs * (status.position + 2);
  }
  return false;
}

async function timeOut(job: ComfyUiJob, state: 'queued' | 'running', deps: JobCommandDeps): Promise<PollJobStatusResult> {
  const server = job.server as string;
  // Record the timeout before stopping the prompt: the interrupt makes ComfyUI report the prompt
  // interrupted on the socket, and that report must find the job already failed for its timeout,
  // not race it to the row. A job that moved on meanwhile (it finished) is left alone, prompt too.
  const message = `${job.jobPayload.label}: timed out after ${job.jobPayload.timeoutSeconds} s on ${server}, prompt ${job.promptId}`;
  const result = await fail(job, server, message, 'timeout', deps);
  if (result.outcome !== 'failed') return { job: result.job, state: 'skipped', needsProcessing: false };
  const client = deps.clientFor(server);
  try {
    if (state === 'queued') await client.deleteFromQueue([job.promptId]);
    else await client.interrupt(job.promptId);
  } catch (error) {
    deps.logger.warn('could not stop a timed-out prompt', { jobId: job.id, promptId: job.promptId, server, error: (error as Error).message });
  }
  return { job: result.job, state: 'timed_out', needsProcessing: false };
}
