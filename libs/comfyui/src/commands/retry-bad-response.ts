import { backoffDelay } from '../client/backoff';
import type { ComfyUiError } from '../errors';
import type { ComfyUiJob } from '../jobs/comfyui-job.entity';
import { spendRetry } from '../jobs/sql/spend-retry';
import type { JobCommandDeps } from './job-command-deps';
import { fail, type SubmitJobResult } from './submit-job';

/**
 * A job in flight whose server answered something unusable (a hostile output path, a body over the
 * size limit, the wrong shape): a protocol error. The job keeps its place and is asked about again
 * after a backoff, spending its retry budget (COMFYUI_MAX_RETRIES); once that is spent it fails with
 * what the server sent, so the run ends instead of polling forever.
 */
export async function retryAfterBadResponse(job: ComfyUiJob, error: ComfyUiError, what: string, deps: JobCommandDeps): Promise<SubmitJobResult> {
  const server = job.server;
  const label = job.jobPayload.label;
  const reason = `${label}: ${server} sent an unusable answer while ${what} (${error.code}): ${error.message}`;
  const attempt = job.retryCount + 1;
  if (attempt > deps.retry.maxRetries) {
    return fail(job, server, `${label}: gave up after ${attempt} attempts (COMFYUI_MAX_RETRIES=${deps.retry.maxRetries}): ${reason.slice(label.length + 2)}`, 'bad_response', deps);
  }
  const nextAttemptAt = new Date(Date.now() + backoffDelay(attempt, deps.retry.baseDelayMs, deps.retry.maxDelayMs, deps.random));
  if (!(await spendRetry(deps.dataSource.manager, job, nextAttemptAt, reason))) return { outcome: 'skipped', job };
  deps.metrics?.retries.inc({ reason: 'bad_response' });
  deps.logger.warn('bad answer from ComfyUI, will ask again', { jobId: job.id, promptId: job.promptId, server, label, attempt, nextAttemptAt: nextAttemptAt.toISOString(), error: reason });
  deps.emit?.({ type: 'job_retrying', jobId: job.id, runId: job.pipelineRunId, label, attempt, error: reason, nextAttemptAt });
  return { outcome: 'retry_scheduled', job, error: reason };
}
