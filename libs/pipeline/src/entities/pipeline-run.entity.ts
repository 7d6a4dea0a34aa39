import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber } from './bigint-number.transformer';
import { PipelineStep } from './pipeline-step.entity';

/** `batch`: a job file the CLI drives to the end; `pipeline`: long-lived, worked by `worker:serve`. */
export type PipelineRunKind = 'batch' | 'pipeline';
export type PipelineRunStatus = 'active' | 'completed' | 'failed' | 'cancelled';

@Entity('pipeline_runs')
export class PipelineRun {
  @PrimaryGeneratedColumn('uuid') id!: string;

  @Column({ type: 'text' }) name!: string;

  @Column({ type: 'text' }) kind!: PipelineRunKind;

  @Column({ type: 'text', default: 'active' }) status!: PipelineRunStatus;

  /** Folder every output of the run is written under. */
  @Column({ type: 'text', name: 'target_folder' }) targetFolder!: string;

  @Column({ type: 'bigint', name: 'base_seed', nullable: true, transformer: bigintNumber })
  baseSeed!: number | null;

  /** The validated spec the run was created from, kept for audit and reruns. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" }) spec!: Record<string, unknown>;

  @OneToMany(() => PipelineStep, (step) => step.run) steps?: PipelineStep[];

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}
