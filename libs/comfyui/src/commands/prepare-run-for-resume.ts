import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import { retryFailedJobs } from './retry-failed-jobs';

export interface PrepareRunForResumeResult {
  /** Failed jobs queued again. */
  retried: number;
  /** In-flight prompts on a server outside the current pool, queued again under a new prompt id. */
  requeued: number;
  /** Leases of dead local processes released. */
  releasedLeases: number;
}

/**
 * Makes an interrupted run ready to continue in this process: leases held by engine processes of
 * this host that are gone are released (they would hold their jobs until the lease expires), prompts
 * in flight on a server that is not in `servers` (e.g. an earlier `--emulator`) are queued again
 * under a new prompt id, and failed jobs are retried.
 */
export async function prepareRunForResume(dataSource: DataSource, runId: string, servers: readonly string[]): Promise<PrepareRunForResumeResult> {
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
  // submitted/running → pending is a legal move (a lost prompt); done in bulk here.
  const requeued: unknown[] = await dataSource.query(
    `UPDATE comfyui_jobs
        SET status = 'pending', server = NULL, prompt_id = gen_random_uuid()::text, submitted_at = NULL, started_at = NULL,
            next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE pipeline_run_id = $1 AND status IN ('submitted', 'running')
        AND (server IS NULL OR rtrim(server, '/') <> ALL($2::text[]))
      RETURNING id`,
    [runId, servers.map((url) => url.replace(/\/+$/, ''))],
  );
  const failed: Array<{ id: string }> = await dataSource.query(`SELECT id FROM comfyui_jobs WHERE pipeline_run_id = $1 AND status = 'failed'`, [runId]);
  if (failed.length) await retryFailedJobs(dataSource.manager, failed.map((row) => row.id));
  return { retried: failed.length, requeued: rowCount(requeued), releasedLeases: dead.length };
}

/** Engine worker ids look like `host:pid:random`; a local one whose pid is gone is dead. */
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

/** UPDATE … RETURNING comes back as rows from PGlite and as [rows, count] from pg. */
function rowCount(result: unknown[]): number {
  return Array.isArray(result[0]) ? (result[0] as unknown[]).length : result.length;
}
