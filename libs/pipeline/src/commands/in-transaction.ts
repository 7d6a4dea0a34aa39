import type { EntityManager } from 'typeorm';

/** Runs `work` in the caller's transaction when there is one, otherwise in a new one. */
export function inTransaction<T>(manager: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  if (manager.queryRunner?.isTransactionActive) return work(manager);
  return manager.transaction(work);
}
