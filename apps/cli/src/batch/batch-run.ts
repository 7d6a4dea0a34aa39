import { jobSpecToPipelineRunInput, type ResolvedJobSpec } from '@kiln/job-orchestration';
import {
  createPipelineRun,
  getPipelineRun,
  listPipelineRuns,
  recordCandidate,
  setPipelineRunStatus,
  type CreatePipelineRunInput,
  type PipelineRun,
  type PipelineStep,
} from '@kiln/pipeline';
import type { DataSource } from 'typeorm';
import type { ManifestEntry } from '../manifest/manifest';
import { canonicalJson, type PlannedImage } from './plan-batch';

export type BatchRun = PipelineRun & { steps: PipelineStep[] };

/**
 * The run a rerun should continue: the folder's latest batch run when it was interrupted or crashed
 * (still active), or failed, and has exactly the same steps. Its in-flight prompts are followed
 * instead of being queued again, and its failed images are fetched from the server again when they
 * were made (a full disk, a folder not writable), so fixing the cause and rerunning makes nothing twice.
 */
export async function findResumableRun(dataSource: DataSource, input: CreatePipelineRunInput): Promise<BatchRun | undefined> {
  const latest = (await listPipelineRuns(dataSource.manager)).find((run) => run.kind === 'batch' && run.targetFolder === input.targetFolder);
  if (!latest || (latest.status !== 'active' && latest.status !== 'failed')) return undefined;
  const full = await getPipelineRun(dataSource.manager, latest.id);
  return stepsFingerprint(full.steps) === stepsFingerprint(input.steps) ? full : undefined;
}

/** Batch runs of the folder that a new run replaces: cancelled so no worker picks them up later. */
export async function cancelSupersededRuns(dataSource: DataSource, targetFolder: string): Promise<number> {
  let cancelled = 0;
  for (const run of await listPipelineRuns(dataSource.manager, 'active')) {
    if (run.kind !== 'batch' || run.targetFolder !== targetFolder) continue;
    await setPipelineRunStatus(dataSource.manager, run.id, 'cancelled');
    cancelled++;
  }
  return cancelled;
}

export function batchRunInput(spec: ResolvedJobSpec, name: string): CreatePipelineRunInput {
  return jobSpecToPipelineRunInput(spec, { name });
}

/**
 * Creates the run. Images already made (skipped) are recorded as its candidates first, so the
 * engine sees their slots as done and generates only the rest.
 */
export async function createBatchRun(
  dataSource: DataSource,
  input: CreatePipelineRunInput,
  made: ReadonlyArray<{ image: PlannedImage; entry: ManifestEntry }>,
): Promise<BatchRun> {
  return dataSource.transaction(async (tx) => {
    const run = await createPipelineRun(tx, input);
    for (const { image, entry } of made) {
      const step = run.steps.find((s) => s.name === image.stepName);
      if (!step) continue;
      await recordCandidate(tx, {
        stepId: step.id,
        index: image.index,
        imagePath: image.absoluteFile,
        seed: entry.seed,
        metadata: { prompt: entry.prompt, checkpoint: entry.checkpoint, sha256: entry.sha256, promptId: entry.promptId, reusedFrom: 'kiln-manifest.json' },
        sourceKey: `kiln-cli:${run.id}:${image.stepName}:${image.index}`,
      });
    }
    return run;
  });
}

function stepsFingerprint(steps: ReadonlyArray<{ name: string; workflow: unknown; params?: Record<string, unknown>; baseCount: number; childrenPerSelected?: number; naming?: string; overwrite?: boolean }>): string {
  return canonicalJson(
    steps.map((step) => ({
      name: step.name,
      workflow: step.workflow,
      params: step.params ?? {},
      baseCount: step.baseCount,
      children: step.childrenPerSelected ?? 0,
      naming: step.naming ?? 'deterministic',
      overwrite: step.overwrite ?? false,
    })),
  );
}

