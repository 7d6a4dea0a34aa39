import type { EntityManager } from 'typeorm';

/** Jobs waiting to be submitted (every run), for the queue-depth gauge. */
export async function countPendingJobs(manager: EntityManager): Promise<number> {
  const [{ count }]: Array<{ count: number }> = await manager.query(`SELECT count(*)::int AS count FROM comfyui_jobs WHERE status = 'pending'`);
  return Number(count);
}
