import type { EntityManager } from 'typeorm';
import { matchIdPrefix, type IdPrefixMatch } from './id-prefix';

/** The pipeline run a typed id or id prefix names. */
export function resolveRunIdPrefix(manager: EntityManager, prefix: string): Promise<IdPrefixMatch> {
  return matchIdPrefix(prefix, async (pattern, limit) => {
    const rows: Array<{ id: string }> = await manager.query(`SELECT id FROM pipeline_runs WHERE id::text LIKE $1 ORDER BY created_at DESC LIMIT $2`, [pattern, limit]);
    return rows.map((row) => row.id);
  });
}

/** The image candidate a typed id or id prefix names. */
export function resolveCandidateIdPrefix(manager: EntityManager, prefix: string): Promise<IdPrefixMatch> {
  return matchIdPrefix(prefix, async (pattern, limit) => {
    const rows: Array<{ id: string }> = await manager.query(`SELECT id FROM image_candidates WHERE id::text LIKE $1 ORDER BY created_at DESC LIMIT $2`, [pattern, limit]);
    return rows.map((row) => row.id);
  });
}
