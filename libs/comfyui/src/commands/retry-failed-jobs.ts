import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { ComfyUiJob } from '../jobs/comfyui-job.entity';
import { JobError } from '../jobs/job-error';
import { findJobsByIds, transitionJob } from '../jobs/job-ledger';

export interface RetryFailedJobsResult {
  jobId: string;
  label: string;
  /** `reprocess`: the image was made but not brought home: download again. `resubmit`: generate again. */
  action: 'reprocess' | 'resubmit';
}

export interface RetryFailedJobsOptions {
  /**
   * The servers in use. A made image lives on the server that made it: on any other (an earlier
   * `--emulator`, a server left out of the pool) nobody would fetch it, so its job is queued again.
   * Absent: every server counts.
   */
  servers?: readonly string[];
}

/**
 * A person's retry of failed jobs. A job whose prompt finished but whose image could not be
 * downloaded or written is processed again from the kept result; any other failed job is queued
 * again under a new prompt id with a fresh retry budget.
 */
export async function retryFailedJobs(manager: EntityManager, ids: string[], options: RetryFailedJobsOptions = {}): Promise<RetryFailedJobsResult[]> {
  const inUse = options.servers && new Set(options.servers.map(withoutTrailingSlash));
  return manager.transaction(async (tx) => {
    const jobs = await findJobsByIds(tx, ids);
    const missing = ids.filter((id) => !jobs.some((j) => j.id === id));
    if (missing.length) throw new JobError('JOB_NOT_FOUND', `no job with id ${missing.join(', ')}`);
    const notFailed = jobs.filter((j) => j.status !== 'failed');
    if (notFailed.length) {
      throw new JobError(
        'JOB_NOT_RETRYABLE',
        `only failed jobs can be retried: ${notFailed.map((j) => `${j.id} is ${j.status}`).join(', ')}`,
      );
    }
    const results: RetryFailedJobsResult[] = [];
    for (const job of jobs) {
      const label = job.jobPayload.label;
      if (finishedWithImage(job) && (!inUse || inUse.has(withoutTrailingSlash(job.server ?? '')))) {
        // A fresh download budget: the automatic retries of the failed processing were spent.
        await transitionJob(tx, job, 'completed', { retryCount: 0, nextAttemptAt: null, errorMessage: null, processedAt: null, leaseOwner: null, leaseExpiresAt: null });
        results.push({ jobId: job.id, label, action: 'reprocess' });
        continue;
      }
      await transitionJob(tx, job, 'pending', {
        retryCount: 0,
        nextAttemptAt: null,
        errorMessage: null,
        resultMetadata: null,
        server: null,
        submittedAt: null,
        startedAt: null,
        completedAt: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        // A new prompt id: the old one may still be in the server's history as failed.
        promptId: randomUUID(),
      });
      results.push({ jobId: job.id, label, action: 'resubmit' });
    }
    return results;
  });
}

function finishedWithImage(job: ComfyUiJob): boolean {
  const history = job.resultMetadata;
  if (!history || history.status?.status_str !== 'success') return false;
  return Object.values(history.outputs ?? {}).some((output) => Array.isArray(output['images']) && output['images'].length > 0);
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
