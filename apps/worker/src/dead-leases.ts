import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';

/**
 * Releases job leases held by worker processes of this host that are gone (e.g. killed with
 * SIGKILL), so a restarted worker carries on at once instead of waiting for the leases to expire.
 * Leases of other hosts are left to expire: only their own host can tell whether they are alive.
 * Engine worker ids look like `host:pid:random`.
 */
export async function releaseDeadLocalLeases(dataSource: DataSource, host = hostname()): Promise<number> {
  const rows: Array<{ lease_owner: string }> = await dataSource.query(`SELECT DISTINCT lease_owner FROM comfyui_jobs WHERE lease_owner IS NOT NULL`);
  const dead = rows.map((row) => row.lease_owner).filter((owner) => isDeadLocalOwner(owner, host));
  if (dead.length === 0) return 0;
  await dataSource.query(`UPDATE comfyui_jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = ANY($1)`, [dead]);
  return dead.length;
}

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
