/**
 * Slots held by jobs that have not produced a candidate yet, as SQL, so SelectNextJob can find the
 * first free slot inside the database instead of loading every candidate and job of a step per
 * selection (the bench's largest cost with steps of 1,000 images).
 *
 * Implemented by the comfyui pack over its job table. `sql` is a SELECT of the relation
 * `(step_id uuid, parent_candidate_id uuid | null, slot_index int)` with no parameters; it runs in
 * the caller's transaction, so the caller's own uncommitted inserts count. Failed jobs keep their
 * slot: otherwise a deterministic failure would be resubmitted forever (a person retries them).
 */
export interface JobSlotsPort {
  readonly sql: string;
}
