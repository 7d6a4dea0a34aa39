import type { EntityManager } from 'typeorm';

/** A selection slot held by a job: counted by SelectNextJob so no slot is generated twice. */
export interface OccupiedSlot {
  parentCandidateId: string | null;
  index: number;
  state: 'in_flight' | 'failed';
}

/**
 * Slots of a step held by jobs that have not produced a candidate: pending, submitted, running,
 * completed-but-unprocessed (in flight), and failed (held until a person retries them, so a
 * deterministic failure is not regenerated forever).
 */
export async function occupiedSlots(manager: EntityManager, stepId: string): Promise<OccupiedSlot[]> {
  const rows: Array<{ parent_candidate_id: string | null; slot_index: number; status: string }> = await manager.query(
    `SELECT parent_candidate_id, slot_index, status FROM comfyui_jobs
      WHERE pipeline_step_id = $1
        AND (status IN ('pending', 'submitted', 'running', 'failed') OR (status = 'completed' AND processed_at IS NULL))`,
    [stepId],
  );
  return rows.map((r) => ({
    parentCandidateId: r.parent_candidate_id,
    index: r.slot_index,
    state: r.status === 'failed' ? 'failed' : 'in_flight',
  }));
}
