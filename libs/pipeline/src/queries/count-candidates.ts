import type { EntityManager } from 'typeorm';

/** Candidates per run id, of every run that has one (a run missing from the map has none). */
export async function countCandidatesByRun(manager: EntityManager): Promise<Map<string, number>> {
  const rows: Array<{ run_id: string; count: number }> = await manager.query(`SELECT run_id, count(*)::int AS count FROM image_candidates GROUP BY run_id`);
  return new Map(rows.map((row) => [row.run_id, Number(row.count)]));
}
