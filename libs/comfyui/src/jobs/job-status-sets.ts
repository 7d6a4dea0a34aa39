import type { ComfyUiJobStatus } from './comfyui-job.entity';

/*
 * The sets of jobs that queries, the summary and the CLI talk about, defined once. Each comes as a
 * SQL predicate on the unqualified columns of `comfyui_jobs` (for the ledger's statements) and, where
 * code outside SQL needs it, as a predicate on a row already read.
 *
 * The partial indexes `comfyui_jobs_open` and `comfyui_jobs_open_slots` are built on
 * OPEN_JOB_SQL and SLOT_HOLDING_JOB_SQL; a query spelled differently may not use them (a DB test
 * keeps the migrations and these constants in step).
 */

/** In flight: the prompt is (or should be) on a ComfyUI server. */
export const inFlightStatuses = ['submitted', 'running'] as const satisfies readonly ComfyUiJobStatus[];

/** In flight, as SQL. */
export const IN_FLIGHT_JOB_SQL = `status IN (${sqlStatusList(inFlightStatuses)})`;

/**
 * Open: not finished yet — pending, in flight, or completed on the server with its image not yet
 * home (no candidate). A run with an open job is still at work.
 */
export const OPEN_JOB_SQL = `(status IN ('pending', 'submitted', 'running') OR (status = 'completed' AND processed_at IS NULL))`;

/** Done: completed and processed, its candidate recorded. */
export const DONE_JOB_SQL = `(status = 'completed' AND processed_at IS NOT NULL)`;

/**
 * Holding its slot (SelectNextJob does not fill the slot again): open, or failed — a failed job keeps
 * its slot until a person retries it, so a deterministic failure is not regenerated forever.
 * @internal exported for its spec
 */
export const SLOT_HOLDING_JOB_SQL = `(status IN ('pending', 'submitted', 'running', 'failed') OR (status = 'completed' AND processed_at IS NULL))`;

/** A job as far as the sets above look at it. */
export interface JobProgress {
  status: ComfyUiJobStatus;
  /** Its image is home and its candidate recorded (`processed_at` is set). */
  processed: boolean;
}

/** {@link OPEN_JOB_SQL} for a row already read. */
export function isOpenJob(job: JobProgress): boolean {
  return job.status !== 'failed' && !isDoneJob(job);
}

/** {@link DONE_JOB_SQL} for a row already read. */
export function isDoneJob(job: JobProgress): boolean {
  return job.status === 'completed' && job.processed;
}

/** `'a', 'b'` for `status IN (…)`: statuses are a closed set of plain words, safe to inline. */
export function sqlStatusList(statuses: readonly ComfyUiJobStatus[]): string {
  return statuses.map((status) => `'${status}'`).join(', ');
}
