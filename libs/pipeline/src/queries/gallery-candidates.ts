import type { EntityManager } from 'typeorm';
import { ImageCandidate, type CandidateStatus } from '../entities/image-candidate.entity';

/** Which of a run's candidates a page shows. */
export interface CandidatePageFilter {
  stepId?: string;
  status?: CandidateStatus;
  generation?: number;
  offset: number;
  limit: number;
}

/** One page of a run's candidates (oldest first) and how many match the filter in all. */
export async function listRunCandidatesPage(
  manager: EntityManager,
  runId: string,
  filter: CandidatePageFilter,
): Promise<{ candidates: ImageCandidate[]; total: number }> {
  const where = {
    runId,
    ...(filter.stepId ? { stepId: filter.stepId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.generation !== undefined ? { generation: filter.generation } : {}),
  };
  const [candidates, total] = await manager.getRepository(ImageCandidate).findAndCount({
    where,
    order: { createdAt: 'ASC', generation: 'ASC', index: 'ASC', id: 'ASC' },
    skip: filter.offset,
    take: filter.limit,
  });
  return { candidates, total };
}

/** How many candidates a run has per step, generation and status. */
export interface CandidateTally {
  stepId: string;
  generation: number;
  status: CandidateStatus;
  count: number;
}

/** A run's candidates counted per step, generation and status (one aggregate, no rows). */
export async function tallyRunCandidates(manager: EntityManager, runId: string): Promise<CandidateTally[]> {
  const rows: Array<{ step_id: string; generation: number; status: CandidateStatus; count: number }> = await manager.query(
    `SELECT step_id, generation, status, count(*)::int AS count FROM image_candidates WHERE run_id = $1
      GROUP BY step_id, generation, status ORDER BY step_id, generation, status`,
    [runId],
  );
  return rows.map((row) => ({ stepId: row.step_id, generation: Number(row.generation), status: row.status, count: Number(row.count) }));
}

/** One candidate, or null when no candidate has this id. */
export function findCandidate(manager: EntityManager, id: string): Promise<ImageCandidate | null> {
  return manager.getRepository(ImageCandidate).findOneBy({ id });
}

/** The direct children of a candidate, by index. */
export function listCandidateChildren(manager: EntityManager, parentId: string): Promise<ImageCandidate[]> {
  return manager.getRepository(ImageCandidate).find({ where: { parentId }, order: { index: 'ASC', createdAt: 'ASC' } });
}

/**
 * A value that changes whenever a candidate is recorded or changes status, or a run changes
 * status: what a page that shows them compares to know it is stale. One cheap aggregate.
 */
export async function candidateChangeStamp(manager: EntityManager): Promise<string> {
  const [row]: Array<{ stamp: string }> = await manager.query(
    `SELECT concat_ws('/',
        (SELECT count(*) FROM image_candidates),
        (SELECT coalesce(sum(hashtext(id::text || status)::bigint), 0) FROM image_candidates),
        (SELECT coalesce(sum(child_count), 0) FROM image_candidates),
        (SELECT coalesce(string_agg(id::text || status, ',' ORDER BY id), '') FROM pipeline_runs)) AS stamp`,
  );
  return String(row?.stamp ?? '');
}
