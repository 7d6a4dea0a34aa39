import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { PipelineRun } from './pipeline-run.entity';

/** `deterministic`: `<slug>.png` names (batches); `unique`: `<step>/<hash>_<timestamp>.png` (pipelines). */
export type StepNaming = 'deterministic' | 'unique';

@Entity('pipeline_steps')
export class PipelineStep {
  @PrimaryGeneratedColumn('uuid') id!: string;

  @Column({ type: 'uuid', name: 'run_id' }) runId!: string;

  @ManyToOne('PipelineRun', 'steps', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id' })
  run?: PipelineRun;

  /** A slug, unique within the run; also the folder of unique-named outputs. */
  @Column({ type: 'text' }) name!: string;

  @Column({ type: 'int' }) position!: number;

  /** Workflow reference or inline API-format workflow, as job-orchestration resolved it. */
  @Column({ type: 'jsonb' }) workflow!: unknown;

  /** Generation parameters (prompt, checkpoint, size, sampler, seed policy…). */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" }) params!: Record<string, unknown>;

  @Column({ type: 'int', name: 'base_count' }) baseCount!: number;

  @Column({ type: 'int', name: 'children_per_selected', default: 0 }) childrenPerSelected!: number;

  @Column({ type: 'text', default: 'deterministic' }) naming!: StepNaming;

  @Column({ type: 'boolean', default: false }) overwrite!: boolean;
}
