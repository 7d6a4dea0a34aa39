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
  return inTransaction(manager, async (tx) => {
    const candidates = tx.getRepository(ImageCandidate);
    if (input.sourceKey) {
      const existing = await candidates.findOneBy({ sourceKey: input.sourceKey });
      if (existing) return { candidate: existing, created: false };
    }
    const step = await tx.getRepository(PipelineStep).findOneBy({ id: input.stepId });
    if (!step) throw new PipelineError('PIPELINE_STEP_NOT_FOUND', `pipeline step ${input.stepId} does not exist`);

    let generation = 0;
    if (input.parentId) {
      const raised: Array<{ generation: number; step_id: string }> = await tx.query(
        `UPDATE image_candidates SET child_count = child_count + 1 WHERE id = $1 RETURNING generation, step_id`,
        [input.parentId],
      );
      const parent = firstRow(raised);
      if (!parent) throw new PipelineError('CANDIDATE_NOT_FOUND', `parent candidate ${input.parentId} does not exist`);
      if (parent.step_id !== step.id) {
        throw new PipelineError(
          'CANDIDATE_PARENT_MISMATCH',
          `parent candidate ${input.parentId} belongs to another step than ${step.id}`,
        );
      }
      generation = parent.generation + 1;
    }

    const candidate = await candidates.save(
      candidates.create({
        runId: step.runId,
        stepId: step.id,
        parentId: input.parentId ?? null,
        generation,
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

/** UPDATE … RETURNING comes back as rows from PGlite and as [rows, count] from pg. */
function firstRow<T>(result: T[] | [T[], number]): T | undefined {
  const rows = Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
  return rows[0];
}
