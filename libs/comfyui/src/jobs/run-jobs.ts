import { matchIdPrefix, type IdPrefixMatch } from '@kiln/pipeline';
import type { EntityManager } from 'typeorm';
import type { ComfyUiJobStatus } from './comfyui-job.entity';
import { DONE_JOB_SQL, OPEN_JOB_SQL, type JobProgress } from './job-status-sets';

/** How a run's jobs stand, in the sets of job-status-sets.ts. */
export interface RunJobCounts {
  /** Not finished yet: pending, in flight, or completed with the image not yet home. */
  open: number;
  /** Completed and processed: the image is home and its candidate recorded. */
  done: number;
  failed: number;
}

/**
 * Job counts per run id, of every run (or of the one asked for) that has jobs: a run missing from
 * the map has none. One aggregate: the run summary asks on every event while a run is awaited.
 */
export async function countJobsByRun(manager: EntityManager, runId?: string): Promise<Map<string, RunJobCounts>> {
  const rows: Array<{ run_id: string; open: number; done: number; failed: number }> = await manager.query(
    `SELECT pipeline_run_id AS run_id,
            (count(*) FILTER (WHERE ${OPEN_JOB_SQL}))::int AS open,
            (count(*) FILTER (WHERE ${DONE_JOB_SQL}))::int AS done,
            (count(*) FILTER (WHERE status = 'failed'))::int AS failed
       FROM comfyui_jobs ${runId ? 'WHERE pipeline_run_id = $1' : ''}
      GROUP BY pipeline_run_id`,
    runId ? [runId] : [],
  );
  return new Map(rows.map((row) => [row.run_id, { open: Number(row.open), done: Number(row.done), failed: Number(row.failed) }]));
}

/** One job of a run, as people see it in summaries and the CLI. */
export interface RunJob extends JobProgress {
  id: string;
  stepId: string;
  status: ComfyUiJobStatus;
  /** The item or step the job belongs to (its payload's label). */
  label: string;
  errorMessage: string | null;
  /** The server the job was last sent to; null before its first submission. */
  server: string | null;
}

/** Every job of a run, oldest first. */
export function listRunJobs(manager: EntityManager, runId: string): Promise<RunJob[]> {
  return selectRunJobs(manager, runId, '');
}

/** The run's failed jobs, oldest first. */
export function listFailedJobs(manager: EntityManager, runId: string): Promise<RunJob[]> {
  return selectRunJobs(manager, runId, `AND status = 'failed'`);
}

async function selectRunJobs(manager: EntityManager, runId: string, filter: string): Promise<RunJob[]> {
  const rows: Array<{ id: string; step_id: string; status: ComfyUiJobStatus; processed: boolean; label: string; error_message: string | null; server: string | null }> = await manager.query(
    `SELECT id, pipeline_step_id AS step_id, status, processed_at IS NOT NULL AS processed, job_payload->>'label' AS label, error_message, server
       FROM comfyui_jobs WHERE pipeline_run_id = $1 ${filter} ORDER BY created_at, id`,
    [runId],
  );
  return rows.map((row) => ({ id: row.id, stepId: row.step_id, status: row.status, processed: row.processed, label: row.label, errorMessage: row.error_message, server: row.server }));
}

/** The job a typed id or id prefix names. */
export function resolveJobIdPrefix(manager: EntityManager, prefix: string): Promise<IdPrefixMatch> {
  return matchIdPrefix(prefix, async (pattern, limit) => {
    const rows: Array<{ id: string }> = await manager.query(`SELECT id FROM comfyui_jobs WHERE id::text LIKE $1 ORDER BY created_at DESC LIMIT $2`, [pattern, limit]);
    return rows.map((row) => row.id);
  });
}
