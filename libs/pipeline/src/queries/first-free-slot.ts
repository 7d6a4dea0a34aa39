import type { EntityManager } from 'typeorm';
import { ImageCandidate } from '../entities/image-candidate.entity';
import type { PipelineStep } from '../entities/pipeline-step.entity';
import { freeIndexSql, heldSlotsParameters, heldSlotsSelect, type TakenSlot } from './taken-slots';

/** A free slot of a step: a base index, or a child index under a selected candidate. */
export type FreeSlot = { kind: 'base'; index: number } | { kind: 'child'; parent: ImageCandidate; index: number };

/**
 * The first free slot of a step, computed in the database: children of selected candidates first
 * (oldest candidate first, ties by generation and position, since candidates recorded in one millisecond
 * share a timestamp; a person is waiting for them), then the smallest free base index. A slot
 * is taken when its candidate is recorded or it is in `heldSlots`. Call it with the step locked and
 * slots read after the lock was granted, in the same transaction, so the answer cannot go stale.
 */
export async function firstFreeSlot(
  manager: EntityManager,
  step: Pick<PipelineStep, 'id' | 'baseCount' | 'childrenPerSelected'>,
  heldSlots: readonly TakenSlot[],
): Promise<FreeSlot | null> {
  const [free]: Array<{ parent_id: string | null; free: number }> = await manager.query(
    `WITH held AS (${heldSlotsSelect('$4', '$5', '$6')})
     SELECT x.parent_id, x.free FROM (
         SELECT 0 AS rank, p.created_at, p.generation, p.index AS position, p.id AS parent_id, ${freeIndexSql('$1', 'p.id', '$3::int')} AS free
           FROM image_candidates p WHERE $3::int > 0 AND p.step_id = $1 AND p.status = 'selected'
         UNION ALL
         SELECT 1, NULL, NULL, NULL, NULL, ${freeIndexSql('$1', null, '$2::int')} WHERE $2::int > 0) x
      WHERE x.free IS NOT NULL ORDER BY x.rank, x.created_at, x.generation, x.position, x.parent_id LIMIT 1`,
    [step.id, step.baseCount, step.childrenPerSelected, ...heldSlotsParameters(heldSlots)],
  );
  if (!free) return null;
  const index = Number(free.free);
  if (free.parent_id === null) return { kind: 'base', index };
  const parent = await manager.getRepository(ImageCandidate).findOneByOrFail({ id: free.parent_id });
  return { kind: 'child', parent, index };
}
