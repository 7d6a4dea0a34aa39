import {
  firstFreeSlot,
  listActiveStepIds,
  lockNextStepWithFreeSlot,
  type FreeSlot,
  type ImageCandidate,
  type PipelineRun,
  type PipelineStep,
  type TakenSlot,
} from '@kiln/pipeline';
import type { EntityManager } from 'typeorm';
import { JobOrchestrationError } from '../errors';
import { baseJobKey, childJobKey, deterministicOutputName, uniqueOutputName } from '../naming/output-name';
import { deriveChildSeed, deriveSeed, drawRandomSeed } from '../seeds/derive-seed';
import { readStepParams } from '../spec/read-step-params';
import type { StepWorkflow } from '../spec/resolved-job-spec';
import { readWorkflowSeed } from '../workflow/workflow-seed';
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
  /** `random` seeds were drawn now: record them, they cannot be derived again; `workflow` seeds are the graph's own. */
  seedMode: 'derived' | 'random' | 'workflow';
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
  // Slots read before the lock only pick the step; the step's slots read after its lock was
  // granted decide. A step whose hint was stale (another caller just took its last slot) is passed over.
  const hint = await readHint(manager, options);
  if (!hint) return { kind: 'no_work' };
  const passedOver: string[] = [];
  for (;;) {
    const step = await lockNextStepWithFreeSlot(manager, {
      heldSlots: hint, runId: options.runId, runKind: options.runKind, skipLocked: options.skipLocked, excludeStepIds: passedOver,
    });
    if (!step) return { kind: 'no_work' };
    const slot = await firstFreeSlot(manager, step, await options.jobSlots(manager, { stepIds: [step.id] }));
    if (slot) return workOfStep(step, slot, options);
    passedOver.push(step.id);
  }
}

/**
 * Held slots of the run asked for, or of the steps of every active run (not of every job that ever
 * failed, which a long-lived database keeps); undefined when there is no active step at all.
 */
async function readHint(manager: EntityManager, options: SelectNextJobOptions): Promise<TakenSlot[] | undefined> {
  if (options.runId) return options.jobSlots(manager, { runId: options.runId });
  const stepIds = await listActiveStepIds(manager, { runKind: options.runKind });
  return stepIds.length > 0 ? options.jobSlots(manager, { stepIds }) : undefined;
}

/** The job of a free slot: its seed, output name and key. */
function workOfStep(step: PipelineStep, slot: FreeSlot, options: SelectNextJobOptions): Exclude<SelectNextJobResult, { kind: 'no_work' }> {
  const run: Omit<PipelineRun, 'spec'> = step.run as PipelineRun;
  const { seed: seedPolicy } = readStepParams(step);
  const now = options.now ?? (() => new Date());
  const drawSeed = options.drawSeed ?? drawRandomSeed;
  const seedMode = seedPolicy.mode === 'fixed' ? 'derived' : seedPolicy.mode;
  const graphSeed = (role: 'base' | 'child') => {
    const template = (step.workflow as Partial<StepWorkflow> | null)?.[role];
    const seed = template ? readWorkflowSeed(template) : undefined;
    if (seed === undefined) throw new JobOrchestrationError('STEP_DEFINITION_INVALID', `step ${step.name} keeps the workflow's seed but its ${role} workflow holds none`);
    return seed;
  };

  if (slot.kind === 'child') {
    const { parent, index } = slot;
    const jobKey = childJobKey(step.name, parent.id, index);
    const seed =
      seedPolicy.mode === 'fixed' ? deriveChildSeed(seedPolicy.base, step.name, parent.seed, index) : seedPolicy.mode === 'workflow' ? graphSeed('child') : drawSeed();
    return { kind: 'child_generation', run, step, parent, index, seed, seedMode, jobKey, outputName: uniqueOutputName(step.name, `${step.runId}/${jobKey}`, now()) };
  }
  const { index } = slot;
  const jobKey = baseJobKey(step.name, index);
  return {
    kind: 'base_generation', run, step, index, jobKey, seedMode,
    seed: seedPolicy.mode === 'fixed' ? deriveSeed(seedPolicy.base, step.name, index) : seedPolicy.mode === 'workflow' ? graphSeed('base') : drawSeed(),
    outputName: step.naming === 'deterministic' ? deterministicOutputName(step.name, index, step.baseCount) : uniqueOutputName(step.name, `${step.runId}/${jobKey}`, now()),
  };
}
