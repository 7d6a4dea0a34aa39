import type { ApiWorkflow } from '@kiln/job-orchestration';
import type { ComfyUiClient } from '../client/comfyui-client';
import { ComfyUiError } from '../errors';
import { InputFileError, readInputFile } from '../files/read-input-file';
import type { ComfyUiJob } from '../jobs/comfyui-job.entity';
import { patchJob, transitionJob } from '../jobs/job-ledger';
import { backoffDelay } from '../client/backoff';
import type { JobCommandDeps } from './job-command-deps';
import type { UploadOnce } from './upload-once';

export type SubmitJobResult =
  | { outcome: 'submitted'; job: ComfyUiJob; alreadyOnServer: boolean }
  | { outcome: 'retry_scheduled'; job: ComfyUiJob; error: string }
  | { outcome: 'failed'; job: ComfyUiJob; error: string }
  /** Another worker moved the job meanwhile; nothing was done. */
  | { outcome: 'skipped'; job: ComfyUiJob };

/**
 * Posts a pending job's workflow to one server. The prompt id was chosen when the job was created,
 * so before posting again after a failed attempt we ask the server whether it already has it:
 * a job never runs twice. A rejected workflow fails at once; transient failures back off and retry
 * until the retry budget is spent.
 */
export interface SubmitJobOptions {
  /**
   * The caller created this job for `server` moments ago (the server recorded on insert) and has
   * never posted it: there is nothing to ask the server about first.
   */
  neverPosted?: boolean;
}

export async function submitJob(job: ComfyUiJob, server: string, deps: JobCommandDeps, options: SubmitJobOptions = {}): Promise<SubmitJobResult> {
  const client = deps.clientFor(server);
  const manager = deps.dataSource.manager;
  let usedEarlierUpload = false;
  try {
    // The server is written on the row before every POST: a server there means an earlier attempt
    // (perhaps of a process that died right after posting) may have reached it. Ask before posting.
    const previous = job.server;
    if (previous && !options.neverPosted && (await isAlreadyOnServer(deps, previous, job.promptId))) {
      return markSubmitted(job, previous, deps, true);
    }
    if (job.server !== server && !(await patchJob(manager, job, { server }))) return { outcome: 'skipped', job };
    const { workflow, reused } = await withUploads(client, server, job, deps.uploads);
    usedEarlierUpload = reused;
    const submitted = await client.submitPrompt(workflow, { promptId: job.promptId });
    // The server's id is the one it will report under; a server that ignores ours (older ComfyUI,
    // a proxy) would otherwise look as if it lost the prompt, and the item would be queued again.
    return markSubmitted(job, server, deps, false, submitted.promptId);
  } catch (error) {
    if (error instanceof ComfyUiError && error.code === 'COMFYUI_WORKFLOW_REJECTED' && usedEarlierUpload) {
      // The server may have lost a file an earlier job sent (its input folder was cleaned): send it
      // again on the next attempt; a second refusal, with files this job sent itself, fails the job.
      deps.uploads?.forget(server, job.jobPayload.uploads.map((upload) => upload.uploadName));
      return scheduleRetry(job, server, `${job.jobPayload.label}: ${error.message}`, deps, 'upload_reused');
    }
    if (error instanceof ComfyUiError && error.code === 'COMFYUI_WORKFLOW_REJECTED') {
      if (deps.catalogueStale && lostWhatItOffered(error)) {
        // The server lost a model or node since its catalogue was read (restarted with other files):
        // back to waiting for a server that has it, within the retry budget.
        deps.catalogueStale(server);
        return scheduleRetry(job, server, `${server} no longer offers what ${job.jobPayload.label} needs: ${error.message}`, deps, 'catalogue_changed');
      }
      return fail(job, server, `${job.jobPayload.label}: ${error.message}`, 'rejected', deps);
    }
    if (error instanceof ComfyUiError && error.transient) {
      return scheduleRetry(job, server, error.message, deps);
    }
    if (error instanceof ComfyUiError && error.code === 'COMFYUI_BAD_RESPONSE') {
      // The prompt may have been queued despite the garbled answer: the next attempt asks by id first.
      return scheduleRetry(job, server, `${server} sent an unusable answer: ${error.message}`, deps, 'bad_response');
    }
    if (error instanceof InputFileError) {
      return fail(job, server, `${job.jobPayload.label}: ${error.message}; fix: ${error.fix}, then retry the job (kiln jobs retry ${job.id})`, 'input', deps);
    }
    if (isMissingUpload(error)) {
      return fail(job, server, `input file of ${job.jobPayload.label} is missing: ${(error as Error).message}`, 'input', deps);
    }
    if (error instanceof ComfyUiError) {
      return fail(job, server, `ComfyUI at ${server} refused ${job.jobPayload.label}: ${error.message}`, 'http', deps);
    }
    await patchJob(manager, job, { leaseOwner: null, leaseExpiresAt: null });
    throw error;
  }
}

/**
 * Whether the server of the previous attempt has the prompt (queued, running or in history).
 * If that server cannot be asked, the prompt is treated as not there: it goes to the server chosen
 * now, and a server that was merely unreachable may run it once more for nothing (never twice for us).
 */
async function isAlreadyOnServer(deps: JobCommandDeps, server: string, promptId: string): Promise<boolean> {
  try {
    return (await deps.clientFor(server).getPromptStatus(promptId)).state !== 'unknown';
  } catch (error) {
    if (error instanceof ComfyUiError && error.transient) return false;
    throw error;
  }
}

/**
 * Uploads declared input files and points their LoadImage inputs at the names the server chose.
 * `reused`: some file was sent by an earlier job (see {@link UploadOnce}), not by this one.
 */
async function withUploads(client: ComfyUiClient, server: string, job: ComfyUiJob, uploads: UploadOnce | undefined): Promise<{ workflow: ApiWorkflow; reused: boolean }> {
  const workflow = structuredClone(job.jobPayload.workflow);
  let reused = false;
  for (const upload of job.jobPayload.uploads) {
    let stored;
    if (uploads) {
      const sent = await uploads.upload(client, server, upload);
      stored = sent.stored;
      reused ||= sent.reused;
    } else {
      stored = await client.uploadImage(await readInputFile(upload.localPath, upload.role), { filename: upload.uploadName, overwrite: true });
    }
    const node = workflow[upload.nodeId];
    if (node) node.inputs[upload.input] = stored.subfolder ? `${stored.subfolder}/${stored.name}` : stored.name;
  }
  return { workflow, reused };
}

async function markSubmitted(job: ComfyUiJob, server: string, deps: JobCommandDeps, alreadyOnServer: boolean, serverPromptId = job.promptId): Promise<SubmitJobResult> {
  const updated = await transitionJob(deps.dataSource.manager, job, 'submitted', {
    ...(serverPromptId !== job.promptId ? { promptId: serverPromptId } : {}),
    server,
    submittedAt: new Date(),
    nextAttemptAt: null,
    errorMessage: null,
    leaseOwner: null,
    leaseExpiresAt: null,
  });
  if (!updated) return { outcome: 'skipped', job };
  deps.metrics?.submitted.inc({ server });
  deps.logger.info('job submitted', {
    jobId: job.id,
    promptId: job.promptId,
    server,
    label: job.jobPayload.label,
    seed: job.jobPayload.seed,
    nodes: Object.keys(job.jobPayload.workflow).length,
    summary: job.jobPayload.summary,
    attempt: job.retryCount + 1,
    alreadyOnServer,
  });
  deps.emit?.({ type: 'job_submitted', jobId: job.id, runId: job.pipelineRunId, label: job.jobPayload.label, promptId: job.promptId, server });
  return { outcome: 'submitted', job: updated, alreadyOnServer };
}

/** Keeps the job pending for another attempt after a backoff, or fails it once the budget is spent. */
export async function scheduleRetry(
  job: ComfyUiJob,
  server: string | null,
  reason: string,
  deps: JobCommandDeps,
  metricReason = 'transient',
): Promise<SubmitJobResult> {
  const attempt = job.retryCount + 1;
  if (attempt > deps.retry.maxRetries) {
    return fail(
      job,
      server,
      `${job.jobPayload.label}: gave up after ${attempt} attempts (COMFYUI_MAX_RETRIES=${deps.retry.maxRetries}): ${reason}`,
      'retries_exhausted',
      deps,
    );
  }
  const nextAttemptAt = new Date(Date.now() + backoffDelay(attempt, deps.retry.baseDelayMs, deps.retry.maxDelayMs, deps.random));
  // `server` remembers where this attempt went, so the next one can ask it before posting again.
  const patch = { retryCount: attempt, nextAttemptAt, errorMessage: reason, server, leaseOwner: null, leaseExpiresAt: null };
  const updated =
    job.status === 'pending'
      ? (await patchJob(deps.dataSource.manager, job, patch)) && job
      : await transitionJob(deps.dataSource.manager, job, 'pending', patch);
  if (!updated) return { outcome: 'skipped', job };
  deps.metrics?.retries.inc({ reason: metricReason });
  deps.logger.warn('job will be retried', {
    jobId: job.id,
    promptId: job.promptId,
    server,
    label: job.jobPayload.label,
    attempt,
    nextAttemptAt: nextAttemptAt.toISOString(),
    error: reason,
  });
  deps.emit?.({ type: 'job_retrying', jobId: job.id, runId: job.pipelineRunId, label: job.jobPayload.label, attempt, error: reason, nextAttemptAt });
  return { outcome: 'retry_scheduled', job, error: reason };
}

/** Fails a job for good, with a message that names it. */
export async function fail(
  job: ComfyUiJob,
  server: string | null,
  message: string,
  reason: string,
  deps: JobCommandDeps,
): Promise<SubmitJobResult> {
  const updated = await transitionJob(deps.dataSource.manager, job, 'failed', {
    errorMessage: message,
    server: server ?? job.server,
    completedAt: new Date(),
    nextAttemptAt: null,
    leaseOwner: null,
    leaseExpiresAt: null,
  });
  if (!updated) return { outcome: 'skipped', job };
  deps.metrics?.failed.inc({ reason });
  deps.logger.error('job failed', {
    jobId: job.id,
    promptId: job.promptId,
    server: updated.server,
    label: job.jobPayload.label,
    runId: job.pipelineRunId,
    retryCount: job.retryCount,
    error: message,
  });
  deps.emit?.({
    type: 'job_failed',
    jobId: job.id,
    runId: job.pipelineRunId,
    label: job.jobPayload.label,
    promptId: job.promptId,
    server: updated.server,
    error: message,
  });
  return { outcome: 'failed', job: updated, error: message };
}

/** A refusal the preflight would have caught with a fresh catalogue: an option or node class the server no longer has. */
function lostWhatItOffered(error: ComfyUiError): boolean {
  if (error.comfyUiErrorType === 'invalid_prompt' && /does not exist/.test(error.message)) return true;
  return error.nodeErrors.length > 0 && error.nodeErrors.every((e) => e.type === 'value_not_in_list');
}

function isMissingUpload(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}
