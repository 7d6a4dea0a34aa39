import type { JobSlotsPort } from '@kiln/job-orchestration';

// Open or failed: the predicate of the partial index comfyui_jobs_open_slots (by step), which the step reads use.
const HOLDS_SLOT = `(status IN ('pending', 'submitted', 'running', 'failed') OR (status = 'completed' AND processed_at IS NULL))`;
const COLUMNS = `pipeline_step_id AS "stepId", parent_candidate_id AS "parentCandidateId", slot_index AS "slotIndex"`;

/**
 * Slots held by jobs that have not produced a candidate: pending, submitted, running,
 * completed-but-unprocessed (in flight), and failed (held until a person retries them, so a
 * deterministic failure is not regenerated forever). The job ledger's side of SelectNextJob.
 */
export const slotsHeldByOpenJobs: JobSlotsPort = (manager, filter) => {
  if ('runId' in filter) return manager.query(`SELECT ${COLUMNS} FROM comfyui_jobs WHERE pipeline_run_id = $1 AND ${HOLDS_SLOT}`, [filter.runId]);
  return manager.query(`SELECT ${COLUMNS} FROM comfyui_jobs WHERE pipeline_step_id = ANY($1) AND ${HOLDS_SLOT}`, [filter.stepIds]);
};
