import type { EntityManager } from 'typeorm';
import type { ComfyUiJob } from '../comfyui-job.entity';
import { affectedCount } from '../sql-results';

/**
 * Spends one retry of a job in flight without moving it, only if nobody spent it first: the poller
 * and the WebSocket listener may both see the same bad answer, and it must count once.
 */
export async function spendRetry(manager: EntityManager, job: ComfyUiJob, nextAttemptAt: Date, errorMessage: string): Promise<boolean> {
  const result: unknown = await manager.query(
    `UPDATE comfyui_jobs SET retry_count = retry_count + 1, next_attempt_at = $4, error_message = $5, updated_at = now()
     WHERE id = $1 AND status = $2 AND retry_count = $3`,
    [job.id, job.status, job.retryCount, nextAttemptAt, errorMessage],
  );
  if (affectedCount(result) === 0) return false;
  Object.assign(job, { retryCount: job.retryCount + 1, nextAttemptAt, errorMessage });
  return true;
}
