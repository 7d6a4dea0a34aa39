import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Selected candidates of a step, for SelectNextJob's "children wanted?" check: without it that check
 * was planned as a scan of every candidate per step (and its cost estimate made PostgreSQL JIT-compile
 * the selection query, ~250 ms each time).
 */
export class IndexSelectedCandidates1763700000000 implements MigrationInterface {
  name = 'IndexSelectedCandidates1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX image_candidates_selected ON image_candidates (step_id, created_at) WHERE status = 'selected'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX image_candidates_selected`);
  }
}
