import { selectNextJob } from '@kiln/job-orchestration';
import type { DataSource } from 'typeorm';
import { slotsHeldByOpenJobs } from '../jobs/job-slots';

/** Where a run stands, from the job table. */
export interface RunSummary {
  runId: string;
  /** Nothing left to select and no job pending, in flight or unprocessed. */
  settled: boolean;
  completed: number;
  open: number;
  failed: Array<{ jobId: string; label: string; error: string }>;
}

export async function summarizeRun(dataSource: DataSource, runId: string): Promise<RunSummary> {
  // While a job of the run is open the run cannot be settled: answer from one aggregate instead of
  // the selection below (which takes a step lock and ran on every event and poll).
  const [counts]: Array<{ total: number; completed: number; failed: number }> = await dataSource.query(
    `SELECT count(*)::int AS total,
            (count(*) FILTER (WHERE status = 'completed' AND processed_at IS NOT NULL))::int AS completed,
            (count(*) FILTER (WHERE status = 'failed'))::int AS failed
       FROM comfyui_jobs WHERE pipeline_run_id = $1`,
    [runId],
  );
  const openNow = counts.total - counts.completed - counts.failed;
  if (openNow > 0) {
    const failedRows: Array<{ id: string; label: string; error_message: string | null }> =
      counts.failed === 0
        ? []
        : await dataSource.query(`SELECT id, job_payload->>'label' AS label, error_message FROM comfyui_jobs WHERE pipeline_run_id = $1 AND status = 'failed'`, [runId]);
    const failed = failedRows.map((r) => ({ jobId: r.id, label: r.label, error: r.error_message ?? 'failed' }));
    return { runId, settled: false, completed: counts.completed, open: openNow, failed };
  }
  // Select first, count second, in one transaction: a job another worker inserts while we look
  // either takes the last free slot (then we see it counted) or leaves work we select.
  return dataSource.transaction(async (tx) => {
    const next = await selectNextJob(tx, { jobSlots: slotsHeldByOpenJobs, runId, skipLocked: false });
    const rows: Array<{ id: string; status: string; processed: boolean; label: string; error_message: string | null }> = await tx.query(
      `SELECT id, status, processed_at IS NOT NULL AS processed, job_payload->>'label' AS label, error_message
         FROM comfyui_jobs WHERE pipeline_run_id = $1`,
      [runId],
    );
    const completed = rows.filter((r) => r.status === 'completed' && r.processed).length;
    const failed = rows.filter((r) => r.status === 'failed').map((r) => ({ jobId: r.id, label: r.label, error: r.error_message ?? 'failed' }));
    const open = rows.length - completed - failed.length;
    return { runId, settled: open === 0 && next.kind === 'no_work', completed, open, failed };
  });
}
