import type { TakenSlot } from '@kiln/pipeline';
import type { EntityManager } from 'typeorm';

/**
 * Which held slots a {@link JobSlotsPort} reports: those of some steps (base and child slots), or of
 * one run.
 */
type JobSlotsFilter = { stepIds: readonly string[] } | { runId: string };

/**
 * The slots held by jobs that have not produced a candidate yet, implemented by the pack that owns
 * the job table (comfyui) and passed to {@link selectNextJob}, which hands them to the pipeline's
 * selection statements as parameters.
 *
 * Runs with the caller's `manager`, inside its transaction, so the caller's own uncommitted inserts
 * count. Failed jobs keep their slot: otherwise a deterministic failure would be resubmitted
 * forever (a person retries them). A job whose candidate is recorded may be reported too: the
 * selection does not count a slot twice.
 */
export type JobSlotsPort = (manager: EntityManager, filter: JobSlotsFilter) => Promise<TakenSlot[]>;
