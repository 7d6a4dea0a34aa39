import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Slots held by open jobs (the JobSlotsPort's relation), so SelectNextJob reads only the few open
 * jobs of a step instead of filtering every job the step ever had (1,000s in a large step).
 */
export class IndexOpenSlots1763700001000 implements MigrationInterface {
  name = 'IndexOpenSlots1763700001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX comfyui_jobs_open_slots ON comfyui_jobs (pipeline_step_id, parent_candidate_id, slot_index)
        WHERE status IN ('pending', 'submitted', 'running', 'failed') OR (status = 'completed' AND processed_at IS NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX comfyui_jobs_open_slots`);
  }
}
