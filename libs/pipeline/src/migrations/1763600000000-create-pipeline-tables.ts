import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePipelineTables1763600000000 implements MigrationInterface {
  name = 'CreatePipelineTables1763600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE pipeline_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('batch', 'pipeline')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'failed', 'cancelled')),
        target_folder text NOT NULL,
        base_seed bigint,
        spec jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE pipeline_steps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id uuid NOT NULL REFERENCES pipeline_runs(id) ON DELETE CASCADE,
        name text NOT NULL,
        position int NOT NULL,
        workflow jsonb NOT NULL,
        params jsonb NOT NULL DEFAULT '{}'::jsonb,
        base_count int NOT NULL CHECK (base_count >= 0),
        children_per_selected int NOT NULL DEFAULT 0 CHECK (children_per_selected >= 0),
        naming text NOT NULL DEFAULT 'deterministic' CHECK (naming IN ('deterministic', 'unique')),
        overwrite boolean NOT NULL DEFAULT false,
        UNIQUE (run_id, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE image_candidates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id uuid NOT NULL REFERENCES pipeline_runs(id) ON DELETE CASCADE,
        step_id uuid NOT NULL REFERENCES pipeline_steps(id) ON DELETE CASCADE,
        parent_id uuid REFERENCES image_candidates(id) ON DELETE RESTRICT,
        generation int NOT NULL CHECK (generation >= 0),
        index int NOT NULL CHECK (index >= 0),
        child_count int NOT NULL DEFAULT 0 CHECK (child_count >= 0),
        image_path text NOT NULL,
        seed bigint NOT NULL,
        status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'selected', 'rejected')),
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        source_key text UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One candidate per slot: a base index in a step, or a child index under a parent.
    await queryRunner.query(
      `CREATE UNIQUE INDEX image_candidates_base_slot ON image_candidates (step_id, index) WHERE parent_id IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX image_candidates_child_slot ON image_candidates (parent_id, index) WHERE parent_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX image_candidates_run ON image_candidates (run_id, created_at)`);
    await queryRunner.query(`CREATE INDEX pipeline_runs_status ON pipeline_runs (status)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE image_candidates`);
    await queryRunner.query(`DROP TABLE pipeline_steps`);
    await queryRunner.query(`DROP TABLE pipeline_runs`);
  }
}
