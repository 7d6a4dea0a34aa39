import { setPipelineRunStatus } from '@kiln/pipeline';
import type { DataSource } from 'typeorm';
import { serverId } from '../engine/server-pool';
import { releaseDeadLeases } from '../jobs/dead-leases';
import { listFailedJobs } from '../jobs/run-jobs';
import { requeueJobsOnOtherServers } from '../jobs/status-moves';
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
 * Makes an interrupted or failed run ready to continue in this process: leases held by engine
 * processes of this host that are gone are released (they would hold their jobs until the lease
 * expires), prompts in flight on a server that is not in `servers` (e.g. an earlier `--emulator`) are
 * queued again under a new prompt id, failed jobs are retried (a made image is fetched again from
 * its server when that server is in `servers`), and the run is active again so the engine works it.
 */
export async function prepareRunForResume(dataSource: DataSource, runId: string, servers: readonly string[]): Promise<PrepareRunForResumeResult> {
  const manager = dataSource.manager;
  // Job rows name their server as the pool does: without the password a URL may carry.
  const pool = servers.map(serverId);
  const releasedLeases = await releaseDeadLeases(manager, { runId });
  const requeued = await requeueJobsOnOtherServers(manager, runId, pool);
  const failed = await listFailedJobs(manager, runId);
  if (failed.length) await retryFailedJobs(manager, failed.map((job) => job.id), { servers: pool });
  await setPipelineRunStatus(manager, runId, 'active');
  return { retried: failed.length, requeued, releasedLeases };
}
