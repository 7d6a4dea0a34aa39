import type { EntityManager } from 'typeorm';
import { inFlightStatuses, sqlStatusList } from './job-status-sets';
import { checkedMove } from './job-transitions';
import { returnedRows } from './sql-results';

/*
 * Status changes written by one statement to rows the caller has not read (by prompt id, or in
 * bulk), so transitionJob's check cannot run per row: each statement declares its move here, checked
 * against the transition table when this module loads.
 */

/** ComfyUI started the prompt. */
const startRunning = checkedMove(['submitted'], 'running');

/** The prompt went to a server the run no longer uses: post it again. */
const requeueInFlight = checkedMove(inFlightStatuses, 'pending');

/** The job a started prompt belongs to, moved to `running` by {@link markRunningByPromptId}. */
export interface StartedJob {
  id: string;
  pipelineRunId: string;
  server: string;
  label: string;
}

/**
 * Moves the job of a prompt from `submitted` to `running` in one guarded UPDATE by prompt id, with
 * no read first (it runs for every prompt). Undefined when it was not `submitted` (moved by someone
 * else, or not ours).
 */
export async function markRunningByPromptId(manager: EntityManager, promptId: string, startedAt: Date): Promise<StartedJob | undefined> {
  const result: unknown = await manager.query(
    `UPDATE comfyui_jobs SET status = '${startRunning.to}', started_at = $2, updated_at = now()
      WHERE prompt_id = $1 AND status IN (${sqlStatusList(startRunning.from)}) AND server IS NOT NULL
      RETURNING id, pipeline_run_id, server, job_payload->>'label' AS label`,
    [promptId, startedAt],
  );
  const [row] = returnedRows<{ id: string; pipeline_run_id: string; server: string; label: string }>(result);
  return row && { id: row.id, pipelineRunId: row.pipeline_run_id, server: row.server, label: row.label };
}

/**
 * Queues again, under a new prompt id, the run's prompts in flight on a server that is not in
 * `servers` (e.g. an earlier `--emulator`): nobody polls that server now. Returns how many.
 */
export async function requeueJobsOnOtherServers(manager: EntityManager, runId: string, servers: readonly string[]): Promise<number> {
  const result: unknown = await manager.query(
    `UPDATE comfyui_jobs
        SET status = '${requeueInFlight.to}', server = NULL, prompt_id = gen_random_uuid()::text, submitted_at = NULL, started_at = NULL,
            next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE pipeline_run_id = $1 AND status IN (${sqlStatusList(requeueInFlight.from)})
        AND (server IS NULL OR rtrim(server, '/') <> ALL($2::text[]))
      RETURNING id`,
    [runId, servers.map((url) => url.replace(/\/+$/, ''))],
  );
  return returnedRows(result).length;
}
