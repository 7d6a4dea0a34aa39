import type { EntityManager } from 'typeorm';

/** A job that holds a slot of a step: a base index (`parentCandidateId` null) or a child index under a parent. */
export interface OccupiedSlot {
  parentCandidateId: string | null;
  index: number;
  /**
   * Failed jobs keep their slot: otherwise a deterministic failure would be resubmitted forever.
   * A person retries them explicitly.
   */
  state: 'in_flight' | 'failed';
}

/**
 * Jobs of a step that are not finished candidates yet. Implemented by the comfyui pack over its job
 * table; it must read through `manager` (the caller's transaction) so uncommitted inserts of the same
 * transaction count.
 */
export interface JobSlotsPort {
  occupiedSlots(manager: EntityManager, stepId: string): Promise<OccupiedSlot[]>;
}
