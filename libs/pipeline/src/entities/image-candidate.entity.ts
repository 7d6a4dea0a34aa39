import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './bigint-number.transformer';
import type { PipelineRun } from './pipeline-run.entity';
import type { PipelineStep } from './pipeline-step.entity';

export type CandidateStatus = 'new' | 'selected' | 'rejected';

@Entity('image_candidates')
export class ImageCandidate {
  @PrimaryGeneratedColumn('uuid') id!: string;

  @Column({ type: 'uuid', name: 'run_id' }) runId!: string;

  @ManyToOne('PipelineRun', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id' })
  run?: PipelineRun;

  @Column({ type: 'uuid', name: 'step_id' }) stepId!: string;

  @ManyToOne('PipelineStep', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'step_id' })
  step?: PipelineStep;

  @Column({ type: 'uuid', name: 'parent_id', nullable: true }) parentId!: string | null;

  @ManyToOne('ImageCandidate', { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'parent_id' })
  parent?: ImageCandidate | null;

  /** 0 for base generations, parent's generation + 1 for children. */
  @Column({ type: 'int' }) generation!: number;

  /** Position among its siblings: the base index in the step, or the child index under its parent. */
  @Column({ type: 'int', name: 'index' }) index!: number;

  /** Maintained atomically by `recordCandidate`; never written by hand. */
  @Column({ type: 'int', name: 'child_count', default: 0 }) childCount!: number;

  @Column({ type: 'text', name: 'image_path' }) imagePath!: string;

  @Column({ type: 'bigint', transformer: bigintNumber }) seed!: number;

  @Column({ type: 'text', default: 'new' }) status!: CandidateStatus;

  /** prompt, checkpoint, size, sha256, prompt id… */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" }) metadata!: Record<string, unknown>;

  /** Idempotency key of whatever produced the candidate (e.g. a job id): recording twice is a no-op. */
  @Column({ type: 'text', name: 'source_key', nullable: true, unique: true }) sourceKey!: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}
