import { selectNextJob } from '@kiln/job-orchestration';
import type { DataSource } from 'typeorm';
import type { occupiedSlots as OccupiedSlots } from '../jobs/job-slots';

/** Where a run stands, from the job table. */
export interface RunSummary {
  runId: string;
  /** Nothing left to select and no job pending, in flight or unprocessed. */
  settled: boolean;
  completed: number;
  open: number;
  failed: Array<{ jobId: string; label: string; error: string }>;
}

export async function summarizeRun(dataSource: DataSource, runId: string, occupiedSlots: typeof OccupiedSlots): Promise<RunSummary> {
  // Select first, count second, in one transaction: a job another worker inserts while we look
  // either takes the last free slot (then we see it counted) or leaves work we select.
  return dataSource.transaction(async (tx) => {
    const next = await selectNextJob(tx, { jobSlots: { occupiedSlots }, runId, skipLocked: false });
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
