import type { EntityManager } from 'typeorm';
import type { PipelineRunKind } from '../entities/pipeline-run.entity';

/** Ids of the steps of every active run (optionally of one kind): the steps work may be selected from. */
export async function listActiveStepIds(manager: EntityManager, filter: { runKind?: PipelineRunKind } = {}): Promise<string[]> {
  const rows: Array<{ id: string }> = filter.runKind
    ? await manager.query(`SELECT s.id FROM pipeline_steps s JOIN pipeline_runs r ON r.id = s.run_id WHERE r.status = 'active' AND r.kind = $1`, [filter.runKind])
    : await manager.query(`SELECT s.id FROM pipeline_steps s JOIN pipeline_runs r ON r.id = s.run_id WHERE r.status = $1`, ['active']);
  return rows.map((row) => row.id);
}
