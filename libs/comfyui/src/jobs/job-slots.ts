import type { JobSlotsPort } from '@kiln/job-orchestration';

/**
 * Slots held by jobs that have not produced a candidate: pending, submitted, running,
 * completed-but-unprocessed (in flight), and failed (held until a person retries them, so a
 * deterministic failure is not regenerated forever). SelectNextJob reads it inside its own queries.
 */
export const jobSlots: JobSlotsPort = {
  sql: `SELECT pipeline_step_id AS step_id, parent_candidate_id, slot_index FROM comfyui_jobs
         WHERE status IN ('pending', 'submitted', 'running', 'failed') OR (status = 'completed' AND processed_at IS NULL)`,
};
