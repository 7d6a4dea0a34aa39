import type { EntityManager } from 'typeorm';
import { ImageCandidate, type CandidateStatus } from '../entities/image-candidate.entity';

export interface ListRunCandidatesFilter {
  stepId?: string;
  status?: CandidateStatus;
}

/** A run's candidates in creation order (oldest first). */
export function listRunCandidates(
  manager: EntityManager,
  runId: string,
  filter: ListRunCandidatesFilter = {},
): Promise<ImageCandidate[]> {
  return manager.getRepository(ImageCandidate).find({
    where: { runId, ...(filter.stepId ? { stepId: filter.stepId } : {}), ...(filter.status ? { status: filter.status } : {}) },
    order: { createdAt: 'ASC', generation: 'ASC', index: 'ASC' },
  });
}

/**
 * Every child, grandchild… of a candidate, breadth first (by generation, then index).
 * @internal exported for its spec
 */
export async function listDescendants(manager: EntityManager, candidateId: string): Promise<ImageCandidate[]> {
  const rows: Array<{ id: string }> = await manager.query(
    `WITH RECURSIVE descendants AS (
       SELECT id FROM image_candidates WHERE parent_id = $1
       UNION ALL
       SELECT c.id FROM image_candidates c JOIN descendants d ON c.parent_id = d.id
     )
     SELECT id FROM descendants`,
    [candidateId],
  );
  if (rows.length === 0) return [];
  return manager
    .getRepository(ImageCandidate)
    .createQueryBuilder('c')
    .where('c.id IN (:...ids)', { ids: rows.map((r) => r.id) })
    .orderBy('c.generation', 'ASC')
    .addOrderBy('c.index', 'ASC')
    .addOrderBy('c.createdAt', 'ASC')
    .getMany();
}
