import type { EntityManager } from 'typeorm';
import { ImageCandidate } from '../entities/image-candidate.entity';
import { PipelineStep } from '../entities/pipeline-step.entity';
import { PipelineError } from '../errors';
import { inTransaction } from './in-transaction';

export interface RecordCandidateInput {
  stepId: string;
  parentId?: string | null;
  index: number;
  imagePath: string;
  seed: number;
  metadata?: Record<string, unknown>;
  /** Idempotency key (e.g. the job id): a second call with the same key returns the first candidate. */
  sourceKey?: string | null;
}

export interface RecordCandidateResult {
  candidate: ImageCandidate;
  /** false when the source key had already been recorded. */
  created: boolean;
}

/**
 * Records a generated image. With a parent, the parent's `child_count` is raised in the same
 * transaction by an atomic UPDATE, so concurrent children of one parent never lose a count.
 */
export async function recordCandidate(
  manager: EntityManager,
  input: RecordCandidateInput,
): Promise<RecordCandidateResult> {
  const parentId = input.parentId;
  if (!parentId) return recordBaseCandidate(manager, input);
  return inTransaction(manager, async (tx) => {
    const candidates = tx.getRepository(ImageCandidate);
    if (input.sourceKey) {
      const existing = await candidates.findOneBy({ sourceKey: input.sourceKey });
      if (existing) return { candidate: existing, created: false };
    }
    const step = await tx.getRepository(PipelineStep).findOneBy({ id: input.stepId });
    if (!step) throw new PipelineError('PIPELINE_STEP_NOT_FOUND', `pipeline step ${input.stepId} does not exist`);

    const raised: unknown = await tx.query(
      `UPDATE image_candidates SET child_count = child_count + 1 WHERE id = $1 RETURNING generation, step_id`,
      [parentId],
    );
    const [parent] = returnedRows<{ generation: number; step_id: string }>(raised);
    if (!parent) throw new PipelineError('CANDIDATE_NOT_FOUND', `parent candidate ${parentId} does not exist`);
    if (parent.step_id !== step.id) {
      throw new PipelineError('CANDIDATE_PARENT_MISMATCH', `parent candidate ${parentId} belongs to another step than ${step.id}`);
    }

    const candidate = await candidates.save(
      candidates.create({
        runId: step.runId,
        stepId: step.id,
        parentId,
        generation: parent.generation + 1,
        index: input.index,
        imagePath: input.imagePath,
        seed: input.seed,
        status: 'new',
        metadata: input.metadata ?? {},
        sourceKey: input.sourceKey ?? null,
      }),
    );
    return { candidate, created: true };
  });
}

/**
 * A base candidate in one statement (it runs once per generated image): the step's run is read by
 * the INSERT itself, and a repeated source key inserts nothing. Only when nothing was inserted do we
 * look again, to tell a repeat (return the first) from a missing step (throw).
 */
async function recordBaseCandidate(manager: EntityManager, input: RecordCandidateInput): Promise<RecordCandidateResult> {
  const metadata = input.metadata ?? {};
  const sourceKey = input.sourceKey ?? null;
  const result: unknown = await manager.query(
    `INSERT INTO image_candidates (run_id, step_id, parent_id, generation, index, image_path, seed, status, metadata, source_key)
     SELECT s.run_id, s.id, NULL, 0, $2, $3, $4, 'new', $5, $6 FROM pipeline_steps s WHERE s.id = $1
     ON CONFLICT (source_key) DO NOTHING
     RETURNING id, run_id, created_at`,
    [input.stepId, input.index, input.imagePath, input.seed, JSON.stringify(metadata), sourceKey],
  );
  const [row] = returnedRows<{ id: string; run_id: string; created_at: Date | string }>(result);
  if (row) {
    const candidate = manager.getRepository(ImageCandidate).create({
      id: row.id,
      runId: row.run_id,
      stepId: input.stepId,
      parentId: null,
      generation: 0,
      index: input.index,
      childCount: 0,
      imagePath: input.imagePath,
      seed: input.seed,
      status: 'new',
      metadata,
      sourceKey,
      createdAt: new Date(row.created_at),
    });
    return { candidate, created: true };
  }
  if (sourceKey) {
    const existing = await manager.getRepository(ImageCandidate).findOneBy({ sourceKey });
    if (existing) return { candidate: existing, created: false };
  }
  throw new PipelineError('PIPELINE_STEP_NOT_FOUND', `pipeline step ${input.stepId} does not exist`);
}

/** TypeORM hands back UPDATE … RETURNING as [rows, affected] and INSERT … RETURNING as rows. */
function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return (result ?? []) as T[];
}
