/**
 * A slot held by work that has no candidate recorded yet (e.g. a job in flight, or a failed one
 * waiting for a person): a base index of a step (`parentCandidateId` null) or a child index under a
 * parent candidate. The pipeline tables cannot see such work, so callers pass it in.
 */
export interface TakenSlot {
  stepId: string;
  parentCandidateId: string | null;
  slotIndex: number;
}

/**
 * The held slots as a relation `(step_id, parent_candidate_id, slot_index)` unnested from three
 * array parameters (placeholders given), so one statement selects with them like with a table.
 */
export function heldSlotsSelect(stepIds: string, parentIds: string, indices: string): string {
  return `SELECT * FROM unnest(CAST(${stepIds} AS uuid[]), CAST(${parentIds} AS uuid[]), CAST(${indices} AS int[])) AS h(step_id, parent_candidate_id, slot_index)`;
}

/** The three array parameters of {@link heldSlotsSelect}, in its order. */
export function heldSlotsParameters(slots: readonly TakenSlot[]): [string[], Array<string | null>, number[]] {
  return [slots.map((s) => s.stepId), slots.map((s) => s.parentCandidateId), slots.map((s) => s.slotIndex)];
}

/**
 * Indices taken under an owner (`parentExpr` null: the base slots of `stepExpr`): recorded
 * candidates and the slots of relation `held`. UNION, not a sum: a slot whose candidate is already
 * recorded is not counted twice.
 */
export function takenIndicesSql(stepExpr: string, parentExpr: string | null): string {
  const candidateOwner = parentExpr ? `c.parent_id = ${parentExpr}` : `c.step_id = ${stepExpr} AND c.parent_id IS NULL`;
  const heldOwner = parentExpr ? `h.parent_candidate_id = ${parentExpr}` : `h.step_id = ${stepExpr} AND h.parent_candidate_id IS NULL`;
  return `SELECT c.index AS i FROM image_candidates c WHERE ${candidateOwner}
          UNION SELECT h.slot_index FROM held h WHERE ${heldOwner}`;
}

/** Smallest index below `wantedExpr` not taken under the owner, or null. */
export function freeIndexSql(stepExpr: string, parentExpr: string | null, wantedExpr: string): string {
  return `(SELECT min(i) FROM generate_series(0, ${wantedExpr} - 1) i
            WHERE i NOT IN (SELECT t.i FROM (${takenIndicesSql(stepExpr, parentExpr)}) t WHERE t.i IS NOT NULL))`;
}
