import { ImageCandidate, PipelineRun, PipelineStep } from '@kiln/pipeline';
import type { EntityManager } from 'typeorm';
import { JobOrchestrationError } from '../errors';
import { baseJobKey, childJobKey, deterministicOutputName, uniqueOutputName } from '../naming/output-name';
import { deriveChildSeed, deriveSeed, drawRandomSeed } from '../seeds/derive-seed';
import type { SeedPolicy } from '../spec/resolved-job-spec';
import type { JobSlotsPort, OccupiedSlot } from './job-slots.port';

/** Options of {@link selectNextJob}. */
export interface SelectNextJobOptions {
  jobSlots: JobSlotsPort;
  /** Only this run (the CLI drives one run); omitted: every active run, oldest first (the worker). */
  runId?: string;
  /** Only runs of this kind: the worker takes `pipeline` runs and leaves batches to the CLI that drives them. */
  runKind?: 'batch' | 'pipeline';
  /**
   * Skip steps another transaction has locked (default true) so concurrent workers move on to other
   * steps; false waits for the lock instead (a lone caller that must not miss work).
   */
  skipLocked?: boolean;
  /** Clock for unique output names. */
  now?: () => Date;
  /** Seed source for `seed: random` steps. */
  drawSeed?: () => number;
}

/** Fields shared by both kinds of work. */
interface SelectedWork {
  run: PipelineRun;
  step: PipelineStep;
  /** Base index in the step, or child index under the parent (0-based). */
  index: number;
  seed: number;
  /** `random` seeds were drawn now: record them, they cannot be derived again. */
  seedMode: 'derived' | 'random';
  /** Output path relative to the run's target folder. */
  outputName: string;
  /** Unique within the run, stable for this slot: idempotency key and SaveImage prefix. */
  jobKey: string;
}

/** What to generate next, if anything. */
export type SelectNextJobResult =
  | { kind: 'no_work' }
  | ({ kind: 'base_generation' } & SelectedWork)
  | ({ kind: 'child_generation'; parent: ImageCandidate } & SelectedWork);

/**
 * Picks the next image to generate and locks its step row until the caller's transaction ends.
 * The caller must insert its job row (which the {@link JobSlotsPort} then reports) in the same
 * transaction before committing: that is what keeps concurrent callers from over-generating.
 * Children of selected candidates come before new base images: a person is waiting for them.
 */
export async function selectNextJob(manager: EntityManager, options: SelectNextJobOptions): Promise<SelectNextJobResult> {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new JobOrchestrationError('TRANSACTION_REQUIRED', 'selectNextJob must run inside the transaction that inserts the job (use dataSource.transaction)');
  }
  for (const stepId of await stepsWithPossibleWork(manager, options.runId, options.runKind)) {
    const step = await lockStep(manager, stepId, options.skipLocked ?? true);
    if (!step) continue;
    const work = await workOfStep(manager, step, options);
    if (work) return work;
  }
  return { kind: 'no_work' };
}

async function stepsWithPossibleWork(manager: EntityManager, runId: string | undefined, runKind: 'batch' | 'pipeline' | undefined): Promise<string[]> {
  const query = manager
    .getRepository(PipelineStep)
    .createQueryBuilder('step')
    .innerJoin(PipelineRun, 'run', 'run.id = step.runId')
    .select('step.id', 'id')
    .where('run.status = :status', { status: 'active' })
    .andWhere('(step.baseCount > 0 OR step.childrenPerSelected > 0)')
    .orderBy('run.createdAt', 'ASC')
    .addOrderBy('run.id', 'ASC')
    .addOrderBy('step.position', 'ASC');
  if (runId) query.andWhere('run.id = :runId', { runId });
  if (runKind) query.andWhere('run.kind = :runKind', { runKind });
  const rows: Array<{ id: string }> = await query.getRawMany();
  return rows.map((row) => row.id);
}

async function lockStep(manager: EntityManager, stepId: string, skipLocked: boolean): Promise<PipelineStep | null> {
  const query = manager.getRepository(PipelineStep).createQueryBuilder('step').where('step.id = :stepId', { stepId }).setLock('pessimistic_write');
  if (skipLocked) query.setOnLocked('skip_locked');
  return query.getOne();
}

async function workOfStep(manager: EntityManager, step: PipelineStep, options: SelectNextJobOptions): Promise<SelectNextJobResult | undefined> {
  const slots = await options.jobSlots.occupiedSlots(manager, step.id);
  const candidates = await manager.getRepository(ImageCandidate).find({ where: { stepId: step.id }, order: { createdAt: 'ASC', id: 'ASC' } });
  const seedPolicy = readSeedPolicy(step);
  const now = options.now ?? (() => new Date());
  const drawSeed = options.drawSeed ?? drawRandomSeed;

  if (step.childrenPerSelected > 0) {
    for (const parent of candidates.filter((candidate) => candidate.status === 'selected')) {
      const index = freeIndex(candidates.filter((c) => c.parentId === parent.id), slots.filter((s) => s.parentCandidateId === parent.id), step.childrenPerSelected);
      if (index === undefined) continue;
      const jobKey = childJobKey(step.name, parent.id, index);
      const seed = seedPolicy.mode === 'fixed' ? deriveChildSeed(seedPolicy.base, step.name, parent.seed, index) : drawSeed();
      const run = await manager.getRepository(PipelineRun).findOneByOrFail({ id: step.runId });
      return {
        kind: 'child_generation', run, step, parent, index, seed, jobKey,
        seedMode: seedPolicy.mode === 'fixed' ? 'derived' : 'random',
        outputName: uniqueOutputName(step.name, `${step.runId}/${jobKey}`, now()),
      };
    }
  }

  const index = freeIndex(candidates.filter((c) => c.parentId === null), slots.filter((s) => s.parentCandidateId === null), step.baseCount);
  if (index === undefined) return undefined;
  const jobKey = baseJobKey(step.name, index);
  const run = await manager.getRepository(PipelineRun).findOneByOrFail({ id: step.runId });
  return {
    kind: 'base_generation', run, step, index, jobKey,
    seed: seedPolicy.mode === 'fixed' ? deriveSeed(seedPolicy.base, step.name, index) : drawSeed(),
    seedMode: seedPolicy.mode === 'fixed' ? 'derived' : 'random',
    outputName: step.naming === 'deterministic' ? deterministicOutputName(step.name, index, step.baseCount) : uniqueOutputName(step.name, `${step.runId}/${jobKey}`, now()),
  };
}

/** Smallest index not taken by a candidate or an occupied slot, while fewer than `wanted` are taken. */
function freeIndex(candidates: ImageCandidate[], slots: OccupiedSlot[], wanted: number): number | undefined {
  // A set, not a sum: a job whose candidate is already recorded must not count twice.
  const taken = new Set([...candidates.map((c) => c.index), ...slots.map((s) => s.index)]);
  if (taken.size >= wanted) return undefined;
  let index = 0;
  while (taken.has(index)) index++;
  return index;
}

function readSeedPolicy(step: PipelineStep): SeedPolicy {
  const seed = (step.params as { seed?: Partial<SeedPolicy> }).seed;
  if (seed?.mode === 'random') return { mode: 'random' };
  if (seed?.mode === 'fixed' && Number.isSafeInteger((seed as { base?: unknown }).base)) return seed as SeedPolicy;
  throw new JobOrchestrationError('STEP_DEFINITION_INVALID', `step ${step.name} (${step.id}) has no seed policy in its params`);
}
