import { ImageCandidate, PipelineRun, PipelineStep } from '@kiln/pipeline';
import type { EntityManager } from 'typeorm';
import { JobOrchestrationError } from '../errors';
import { baseJobKey, childJobKey, deterministicOutputName, uniqueOutputName } from '../naming/output-name';
import { deriveChildSeed, deriveSeed, drawRandomSeed } from '../seeds/derive-seed';
import type { SeedPolicy } from '../spec/resolved-job-spec';
import type { JobSlotsPort } from './job-slots.port';

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
  /** The step's run, without its `spec` (a copy of the whole job file, not needed to generate). */
  run: Omit<PipelineRun, 'spec'>;
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
  // The step query is a hint read before its lock was granted; the slot query after the lock is
  // the answer. A step whose hint was stale (another caller just took its last slot) is passed over.
  const passedOver: string[] = [];
  for (;;) {
    const step = await lockNextStepWithWork(manager, options, passedOver);
    if (!step) return { kind: 'no_work' };
    const work = await workOfStep(manager, step, options);
    if (work) return work;
    passedOver.push(step.id);
  }
}

/** Slot indices taken under a parent (`null`: base slots of `stepExpr`): recorded candidates and open jobs. */
function takenIndicesSql(slotsSql: string, stepExpr: string, parentExpr: string | null): string {
  const candidateOwner = parentExpr ? `c.parent_id = ${parentExpr}` : `c.step_id = ${stepExpr} AND c.parent_id IS NULL`;
  const slotOwner = parentExpr ? `o.parent_candidate_id = ${parentExpr}` : `o.step_id = ${stepExpr} AND o.parent_candidate_id IS NULL`;
  // UNION, not a sum: a job whose candidate is already recorded must not count twice.
  return `SELECT c.index AS i FROM image_candidates c WHERE ${candidateOwner}
          UNION SELECT o.slot_index FROM (${slotsSql}) o WHERE ${slotOwner}`;
}

/** The first step (oldest run first, then step order) that may have a free slot, locked, with its run. */
async function lockNextStepWithWork(manager: EntityManager, options: SelectNextJobOptions, passedOver: string[]): Promise<PipelineStep | null> {
  const slots = options.jobSlots.sql;
  const query = manager
    .getRepository(PipelineStep)
    .createQueryBuilder('step')
    .innerJoin('step.run', 'run')
    // Every run column but `spec`: a batch's spec holds all of its items and was parsed per selection.
    .addSelect(['run.id', 'run.name', 'run.kind', 'run.status', 'run.targetFolder', 'run.baseSeed', 'run.createdAt', 'run.updatedAt'])
    .where('run.status = :status', { status: 'active' })
    .andWhere(
      `((step.base_count > 0 AND step.base_count > (SELECT count(*) FROM (${takenIndicesSql(slots, 'step.id', null)}) taken))
        OR (step.children_per_selected > 0 AND EXISTS (
              SELECT 1 FROM image_candidates p WHERE p.step_id = step.id AND p.status = 'selected'
                 AND step.children_per_selected > (SELECT count(*) FROM (${takenIndicesSql(slots, 'step.id', 'p.id')}) taken))))`,
    )
    .orderBy('run.createdAt', 'ASC')
    .addOrderBy('run.id', 'ASC')
    .addOrderBy('step.position', 'ASC')
    .limit(1)
    // The step row only: locking the run too would make concurrent workers skip whole runs.
    .setLock('pessimistic_write', undefined, ['step']);
  if (options.skipLocked ?? true) query.setOnLocked('skip_locked');
  if (options.runId) query.andWhere('run.id = :runId', { runId: options.runId });
  if (options.runKind) query.andWhere('run.kind = :runKind', { runKind: options.runKind });
  if (passedOver.length) query.andWhere('step.id NOT IN (:...passedOver)', { passedOver });
  return query.getOne();
}

/** Smallest index below `wanted` not taken under the owner, or null. */
function freeIndexSql(slotsSql: string, stepExpr: string, parentExpr: string | null, wantedExpr: string): string {
  return `(SELECT min(i) FROM generate_series(0, ${wantedExpr} - 1) i
            WHERE i NOT IN (SELECT t.i FROM (${takenIndicesSql(slotsSql, stepExpr, parentExpr)}) t WHERE t.i IS NOT NULL))`;
}

async function workOfStep(manager: EntityManager, step: PipelineStep, options: SelectNextJobOptions): Promise<SelectNextJobResult | undefined> {
  const run: Omit<PipelineRun, 'spec'> = step.run as PipelineRun;
  const seedPolicy = readSeedPolicy(step);
  const now = options.now ?? (() => new Date());
  const drawSeed = options.drawSeed ?? drawRandomSeed;
  const slots = options.jobSlots.sql;

  if (step.childrenPerSelected > 0) {
    const [child]: Array<{ parent_id: string; free: number }> = await manager.query(
      `SELECT x.parent_id, x.free FROM (
         SELECT p.id AS parent_id, p.created_at, ${freeIndexSql(slots, '$1', 'p.id', '$2::int')} AS free
           FROM image_candidates p WHERE p.step_id = $1 AND p.status = 'selected') x
        WHERE x.free IS NOT NULL ORDER BY x.created_at, x.parent_id LIMIT 1`,
      [step.id, step.childrenPerSelected],
    );
    if (child) {
      const parent = await manager.getRepository(ImageCandidate).findOneByOrFail({ id: child.parent_id });
      const index = Number(child.free);
      const jobKey = childJobKey(step.name, parent.id, index);
      const seed = seedPolicy.mode === 'fixed' ? deriveChildSeed(seedPolicy.base, step.name, parent.seed, index) : drawSeed();
      return {
        kind: 'child_generation', run, step, parent, index, seed, jobKey,
        seedMode: seedPolicy.mode === 'fixed' ? 'derived' : 'random',
        outputName: uniqueOutputName(step.name, `${step.runId}/${jobKey}`, now()),
      };
    }
  }

  if (step.baseCount === 0) return undefined;
  const [base]: Array<{ free: number | null }> = await manager.query(`SELECT ${freeIndexSql(slots, '$1', null, '$2::int')} AS free`, [step.id, step.baseCount]);
  if (base?.free === null || base?.free === undefined) return undefined;
  const index = Number(base.free);
  const jobKey = baseJobKey(step.name, index);
  return {
    kind: 'base_generation', run, step, index, jobKey,
    seed: seedPolicy.mode === 'fixed' ? deriveSeed(seedPolicy.base, step.name, index) : drawSeed(),
    seedMode: seedPolicy.mode === 'fixed' ? 'derived' : 'random',
    outputName: step.naming === 'deterministic' ? deterministicOutputName(step.name, index, step.baseCount) : uniqueOutputName(step.name, `${step.runId}/${jobKey}`, now()),
  };
}

function readSeedPolicy(step: PipelineStep): SeedPolicy {
  const seed = (step.params as { seed?: Partial<SeedPolicy> }).seed;
  if (seed?.mode === 'random') return { mode: 'random' };
  if (seed?.mode === 'fixed' && Number.isSafeInteger((seed as { base?: unknown }).base)) return seed as SeedPolicy;
  throw new JobOrchestrationError('STEP_DEFINITION_INVALID', `step ${step.name} (${step.id}) has no seed policy in its params`);
}
