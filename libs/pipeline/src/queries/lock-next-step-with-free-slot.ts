import type { EntityManager } from 'typeorm';
import type { PipelineRunKind } from '../entities/pipeline-run.entity';
import { PipelineStep } from '../entities/pipeline-step.entity';
import { heldSlotsParameters, heldSlotsSelect, takenIndicesSql, type TakenSlot } from './taken-slots';

/** Options of {@link lockNextStepWithFreeSlot}. */
export interface LockNextStepWithFreeSlotOptions {
  /**
   * Slots held outside the pipeline tables, read before the lock: they only pick the step. Read the
   * step's slots again once it is locked ({@link firstFreeSlot}) to decide.
   */
  heldSlots: readonly TakenSlot[];
  /** Only this run; omitted: every active run. */
  runId?: string;
  /** Only runs of this kind. */
  runKind?: PipelineRunKind;
  /** Skip steps another transaction has locked (default true); false waits for the lock. */
  skipLocked?: boolean;
  /** Steps not to consider (e.g. found full once locked). */
  excludeStepIds?: readonly string[];
}

/**
 * Locks the first step of an active run (oldest run first, then step order) that may have a free
 * slot: a base index not taken, or a selected candidate with a child index not taken. The row stays
 * locked until the caller's transaction ends; the step comes with its run, without the run's `spec`.
 */
export function lockNextStepWithFreeSlot(manager: EntityManager, options: LockNextStepWithFreeSlotOptions): Promise<PipelineStep | null> {
  const [heldStepIds, heldParentIds, heldIndices] = heldSlotsParameters(options.heldSlots);
  const query = manager
    .getRepository(PipelineStep)
    .createQueryBuilder('step')
    .addCommonTableExpression(heldSlotsSelect(':heldStepIds', ':heldParentIds', ':heldIndices'), 'held')
    .innerJoin('step.run', 'run')
    // Every run column but `spec`: a batch's spec holds all of its items and was parsed per selection.
    .addSelect(['run.id', 'run.name', 'run.kind', 'run.status', 'run.targetFolder', 'run.baseSeed', 'run.createdAt', 'run.updatedAt'])
    .where('run.status = :status', { status: 'active' })
    .andWhere(
      `((step.base_count > 0 AND step.base_count > (SELECT count(*) FROM (${takenIndicesSql('step.id', null)}) taken))
        OR (step.children_per_selected > 0 AND EXISTS (
              SELECT 1 FROM image_candidates p WHERE p.step_id = step.id AND p.status = 'selected'
                 AND step.children_per_selected > (SELECT count(*) FROM (${takenIndicesSql('step.id', 'p.id')}) taken))))`,
    )
    // An array, not an IN list: one statement text whatever the count (statements are prepared per text).
    .andWhere('step.id <> ALL(CAST(:excluded AS uuid[]))', { excluded: options.excludeStepIds ?? [] })
    .setParameters({ heldStepIds, heldParentIds, heldIndices })
    .orderBy('run.createdAt', 'ASC')
    .addOrderBy('run.id', 'ASC')
    .addOrderBy('step.position', 'ASC')
    .limit(1)
    // The step row only: locking the run too would make concurrent workers skip whole runs.
    .setLock('pessimistic_write', undefined, ['step']);
  if (options.skipLocked ?? true) query.setOnLocked('skip_locked');
  if (options.runId) query.andWhere('run.id = :runId', { runId: options.runId });
  if (options.runKind) query.andWhere('run.kind = :runKind', { runKind: options.runKind });
  return query.getOne();
}
