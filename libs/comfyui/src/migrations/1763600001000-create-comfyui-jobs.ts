import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateComfyuiJobs1763600001000 implements MigrationInterface {
  name = 'CreateComfyuiJobs1763600001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE comfyui_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pipeline_run_id uuid NOT NULL REFERENCES pipeline_runs(id) ON DELETE CASCADE,
        pipeline_step_id uuid NOT NULL REFERENCES pipeline_steps(id) ON DELETE CASCADE,
        parent_candidate_id uuid REFERENCES image_candidates(id) ON DELETE SET NULL,
        slot_index int NOT NULL CHECK (slot_index >= 0),
        job_payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'submitted', 'running', 'completed', 'failed')),
        comfyui_job_id text NOT NULL UNIQUE,
        server text,
        retry_count int NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
        next_attempt_at timestamptz,
        error_message text,
        result_metadata jsonb,
        candidate_id uuid REFERENCES image_candidates(id) ON DELETE SET NULL,
        processed_at timestamptz,
        submitted_at timestamptz,
        started_at timestamptz,
        completed_at timestamptz,
        lease_owner text,
        lease_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The worker's hot queries: due pending jobs, in-flight jobs, completed-but-unprocessed jobs.
    await queryRunner.query(
      `CREATE INDEX comfyui_jobs_open ON comfyui_jobs (status, next_attempt_at) WHERE status IN ('pending', 'submitted', 'running') OR (status = 'completed' AND processed_at IS NULL)`,
    );
    await queryRunner.query(`CREATE INDEX comfyui_jobs_step_slots ON comfyui_jobs (pipeline_step_id, parent_candidate_id)`);
    await queryRunner.query(`CREATE INDEX comfyui_jobs_run ON comfyui_jobs (pipeline_run_id, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE comfyui_jobs`);
  }
}
