import { hostname } from 'node:os';
import { retryFailedJobs } from '@kiln/comfyui';
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
 * The run a rerun should continue: an active batch run (one that was interrupted or crashed) for
 * the same output folder and exactly the same steps. Its in-flight prompts are followed instead of
 * being queued again.
 */
export async function findResumableRun(dataSource: DataSource, input: CreatePipelineRunInput): Promise<BatchRun | undefined> {
  const wanted = stepsFingerprint(input.steps);
  for (const run of await listPipelineRuns(dataSource.manager, 'active')) {
    if (run.kind !== 'batch' || run.targetFolder !== input.targetFolder) continue;
    const full = await getPipelineRun(dataSource.manager, run.id);
    if (stepsFingerprint(full.steps) === wanted) return full;
  }
  return undefined;
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

/**
 * Prepares an interrupted run to continue: leases held by kiln processes of this host that are gone
 * are released (they would block the jobs for a minute), prompts in flight on a server that is not
 * in this session's pool (e.g. the previous `--emulator`) are queued again under a new prompt id,
 * and its failed jobs are queued again.
 */
export async function prepareResume(dataSource: DataSource, runId: string, servers: readonly string[]): Promise<{ retried: number; requeued: number }> {
  const owners: Array<{ lease_owner: string }> = await dataSource.query(
    `SELECT DISTINCT lease_owner FROM comfyui_jobs WHERE pipeline_run_id = $1 AND lease_owner IS NOT NULL`,
    [runId],
  );
  const dead = owners.map((row) => row.lease_owner).filter(isDeadLocalOwner);
  if (dead.length) {
    await dataSource.query(
      `UPDATE comfyui_jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE pipeline_run_id = $1 AND lease_owner = ANY($2)`,
      [runId, dead],
    );
  }
  const requeued: unknown[] = await dataSource.query(
    `UPDATE comfyui_jobs
        SET status = 'pending', server = NULL, comfyui_job_id = gen_random_uuid()::text, submitted_at = NULL, started_at = NULL,
            next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE pipeline_run_id = $1 AND status IN ('submitted', 'running')
        AND (server IS NULL OR rtrim(server, '/') <> ALL($2::text[]))
      RETURNING id`,
    [runId, servers.map((url) => url.replace(/\/+$/, ''))],
  );
  const failed: Array<{ id: string }> = await dataSource.query(`SELECT id FROM comfyui_jobs WHERE pipeline_run_id = $1 AND status = 'failed'`, [runId]);
  if (failed.length) await retryFailedJobs(dataSource.manager, failed.map((row) => row.id));
  return { retried: failed.length, requeued: rowCount(requeued) };
}

/** Owners look like `host:pid:random` (JobEngine's default worker id). */
function isDeadLocalOwner(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
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

/** UPDATE … RETURNING comes back as rows from PGlite and as [rows, count] from pg. */
function rowCount(result: unknown[]): number {
  return Array.isArray(result[0]) ? (result[0] as unknown[]).length : result.length;
}
