import type { EntityManager } from 'typeorm';

/**
 * Releases every job lease. Only for an engine that is alone on its database (the embedded one):
 * leases left by a killed process are then certainly dead, and waiting them out would stall its jobs.
 */
export async function releaseAllLeases(manager: EntityManager): Promise<void> {
  await manager.query(`UPDATE comfyui_jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner IS NOT NULL`);
}
