import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The column holds ComfyUI's prompt id, and every other layer calls it that. */
export class RenamePromptId1764800000000 implements MigrationInterface {
  name = 'RenamePromptId1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE comfyui_jobs RENAME COLUMN comfyui_job_id TO prompt_id`);
    await queryRunner.query(`ALTER TABLE comfyui_jobs RENAME CONSTRAINT comfyui_jobs_comfyui_job_id_key TO comfyui_jobs_prompt_id_key`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE comfyui_jobs RENAME CONSTRAINT comfyui_jobs_prompt_id_key TO comfyui_jobs_comfyui_job_id_key`);
    await queryRunner.query(`ALTER TABLE comfyui_jobs RENAME COLUMN prompt_id TO comfyui_job_id`);
  }
}
