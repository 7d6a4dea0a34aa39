import { selectNextJob } from '@kiln/job-orchestration';
import type { DataSource } from 'typeorm';
import { slotsHeldByOpenJobs } from '../jobs/job-slots';
import { isDoneJob, isOpenJob } from '../jobs/job-status-sets';
import { countJobsByRun, listFailedJobs, listRunJobs, type RunJob } from '../jobs/run-jobs';

/** Where a run stands, from the job table. */
export interface RunSummary {
  runId: string;
  /** Nothing left to select and no job open (pending, in flight or unprocessed). */
  settled: boolean;
  /** Jobs done: image home, candidate recorded. */
  completed: number;
  open: number;
  failed: Array<{ jobId: string; label: string; error: string }>;
}

export async function summarizeRun(dataSource: DataSource, runId: string): Promise<RunSummary> {
  // While a job of the run is open the run cannot be settled: answer from one aggregate instead of
  // the selection below (which takes a step lock and runs on every event and poll).
  const counts = (await countJobsByRun(dataSource.manager, runId)).get(runId) ?? { open: 0, done: 0, failed: 0 };
  if (counts.open > 0) {
    const failed = counts.failed === 0 ? [] : (await listFailedJobs(dataSource.manager, runId)).map(failure);
    return { runId, settled: false, completed: counts.done, open: counts.open, failed };
  }
  // Select first, count second, in one transaction: a job another worker inserts while we look
  // either takes the last free slot (then we see it counted) or leaves work we select.
  return dataSource.transaction(async (tx) => {
    const next = await selectNextJob(tx, { jobSlots: slotsHeldByOpenJobs, runId, skipLocked: false });
    const jobs = await listRunJobs(tx, runId);
    const open = jobs.filter(isOpenJob).length;
    const completed = jobs.filter(isDoneJob).length;
    const failed = jobs.filter((job) => job.status === 'failed').map(failure);
    return { runId, settled: open === 0 && next.kind === 'no_work', completed, open, failed };
  });
}

function failure(job: RunJob): RunSummary['failed'][number] {
  return { jobId: job.id, label: job.label, error: job.errorMessage ?? 'failed' };
}
