import { hostname } from 'node:os';
import type { EntityManager } from 'typeorm';

export interface ReleaseDeadLeasesOptions {
  /** Only the leases of this run's jobs (resuming one run); default: every job. */
  runId?: string;
  /** The host whose dead processes are looked for; default this one. */
  host?: string;
}

/**
 * Releases job leases held by engine processes of this host that are gone (e.g. killed with
 * SIGKILL), so a restarted process carries on at once instead of waiting for the leases to expire.
 * Leases of other hosts are left to expire: only their own host can tell whether they are alive.
 * Returns how many dead owners were released.
 */
export async function releaseDeadLeases(manager: EntityManager, options: ReleaseDeadLeasesOptions = {}): Promise<number> {
  const host = options.host ?? hostname();
  const runFilter = options.runId ? 'AND pipeline_run_id = $1' : '';
  const runParams = options.runId ? [options.runId] : [];
  const rows: Array<{ lease_owner: string }> = await manager.query(`SELECT DISTINCT lease_owner FROM comfyui_jobs WHERE lease_owner IS NOT NULL ${runFilter}`, runParams);
  const dead = rows.map((row) => row.lease_owner).filter((owner) => isDeadLocalOwner(owner, host));
  if (dead.length === 0) return 0;
  await manager.query(
    `UPDATE comfyui_jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = ANY($${runParams.length + 1}) ${runFilter}`,
    [...runParams, dead],
  );
  return dead.length;
}

/**
 * Engine worker ids look like `host:pid:random`, and a host name may hold colons itself (an IPv6
 * address): the pid is the second field from the end. An owner of this host whose pid is gone is
 * dead; this process never is, and an owner of another shape is never judged.
 * @internal exported for its spec
 */
export function isDeadLocalOwner(owner: string, host = hostname()): boolean {
  const at = owner.lastIndexOf(':', owner.lastIndexOf(':') - 1);
  if (at < 0) return false;
  const [pid] = owner.slice(at + 1).split(':');
  if (owner.slice(0, at) !== host || !/^\d+$/.test(pid ?? '') || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
