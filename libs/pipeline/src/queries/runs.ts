import type { EntityManager } from 'typeorm';
import { PipelineRun, type PipelineRunKind, type PipelineRunStatus } from '../entities/pipeline-run.entity';
import { PipelineStep } from '../entities/pipeline-step.entity';
import { PipelineError } from '../errors';

/** A run with its steps in position order; throws PIPELINE_RUN_NOT_FOUND for an unknown id. */
export async function getPipelineRun(
  manager: EntityManager,
  runId: string,
): Promise<PipelineRun & { steps: PipelineStep[] }> {
  const run = await manager.getRepository(PipelineRun).findOneBy({ id: runId });
  if (!run) throw new PipelineError('PIPELINE_RUN_NOT_FOUND', `no pipeline run with id ${runId}`);
  const steps = await manager.getRepository(PipelineStep).find({ where: { runId }, order: { position: 'ASC' } });
  return Object.assign(run, { steps });
}

/** Runs, newest first, optionally only those in one status. */
export function listPipelineRuns(manager: EntityManager, status?: PipelineRunStatus): Promise<PipelineRun[]> {
  return manager.getRepository(PipelineRun).find({
    where: status ? { status } : {},
    order: { createdAt: 'DESC' },
  });
}

/** Ids of every run of one kind: the worker works `pipeline` runs and leaves batches to their CLI. */
export async function listRunIdsOfKind(manager: EntityManager, kind: PipelineRunKind): Promise<string[]> {
  const runs = await manager.getRepository(PipelineRun).find({ select: { id: true }, where: { kind } });
  return runs.map((run) => run.id);
}

/** Moves a run to a final (or back to active) status. */
export async function setPipelineRunStatus(
  manager: EntityManager,
  runId: string,
  status: PipelineRunStatus,
): Promise<void> {
  const result = await manager.getRepository(PipelineRun).update({ id: runId }, { status });
  if (!result.affected) throw new PipelineError('PIPELINE_RUN_NOT_FOUND', `no pipeline run with id ${runId}`);
}
