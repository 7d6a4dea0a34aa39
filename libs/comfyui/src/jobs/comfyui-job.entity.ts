import type { ApiWorkflow } from '@kiln/job-orchestration';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { HistoryEntry } from '../client/types';
import type { UploadRole } from '../files/read-input-file';

/** pending → submitted → running → completed | failed (see job-transitions.ts for every allowed move). */
export type ComfyUiJobStatus = 'pending' | 'submitted' | 'running' | 'completed' | 'failed';

/** What the job asks ComfyUI for and where its result goes; written once at creation. */
export interface ComfyUiJobPayload {
  /** API-format workflow, ready to POST. */
  workflow: ApiWorkflow;
  /**
   * Local files to upload before posting, and the LoadImage input that receives each one; `role`
   * (absent in jobs made before it was recorded) says what the file is for, for messages.
   */
  uploads: Array<{ localPath: string; uploadName: string; nodeId: string; input: string; role?: UploadRole }>;
  /** Output path relative to the run's target folder. */
  outputName: string;
  /** The run's target folder (fixed for a run), so writing the image needs no lookup. */
  targetFolder: string;
  seed: number;
  /** The item or step the job belongs to, for people (errors, logs). */
  label: string;
  /** Seconds the job may take on the server before it is interrupted and failed. */
  timeoutSeconds: number;
  /** Replace an existing file at outputName. */
  overwrite: boolean;
  /** Free-form facts kept with the candidate (prompt, checkpoint, size…). */
  summary: Record<string, unknown>;
  /**
   * The image-output nodes whose images are kept, in order (see `jobOutputFiles`); absent in jobs
   * made before outputs were chosen, which keep the first saved image.
   */
  outputs?: Array<{ id: string; slug: string; socket?: true }>;
}

@Entity('comfyui_jobs')
export class ComfyUiJob {
  @PrimaryGeneratedColumn('uuid') id!: string;

  @Column({ type: 'uuid', name: 'pipeline_run_id' }) pipelineRunId!: string;

  @Column({ type: 'uuid', name: 'pipeline_step_id' }) pipelineStepId!: string;

  @Column({ type: 'uuid', name: 'parent_candidate_id', nullable: true }) parentCandidateId!: string | null;

  /** The slot SelectNextJob chose: base index in the step, or child index under the parent. */
  @Column({ type: 'int', name: 'slot_index' }) slotIndex!: number;

  @Column({ type: 'jsonb', name: 'job_payload' }) jobPayload!: ComfyUiJobPayload;

  @Column({ type: 'text', default: 'pending' }) status!: ComfyUiJobStatus;

  /** The ComfyUI prompt id; chosen by us before the first POST so a retry can ask whether it arrived. */
  @Column({ type: 'text', name: 'prompt_id' }) promptId!: string;

  /** Base URL of the server the prompt went to. */
  @Column({ type: 'text', nullable: true }) server!: string | null;

  @Column({ type: 'int', name: 'retry_count', default: 0 }) retryCount!: number;

  @Column({ type: 'timestamptz', name: 'next_attempt_at', nullable: true }) nextAttemptAt!: Date | null;

  @Column({ type: 'text', name: 'error_message', nullable: true }) errorMessage!: string | null;

  /** ComfyUI's history entry of the prompt, stored when it completed. */
  @Column({ type: 'jsonb', name: 'result_metadata', nullable: true }) resultMetadata!: HistoryEntry | null;

  /** Set with the candidate, in the same transaction: a completed job without it still needs processing. */
  @Column({ type: 'uuid', name: 'candidate_id', nullable: true }) candidateId!: string | null;

  @Column({ type: 'timestamptz', name: 'processed_at', nullable: true }) processedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'submitted_at', nullable: true }) submittedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'started_at', nullable: true }) startedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true }) completedAt!: Date | null;

  /** Worker that holds the job now; others leave it alone until the lease expires. */
  @Column({ type: 'text', name: 'lease_owner', nullable: true }) leaseOwner!: string | null;

  @Column({ type: 'timestamptz', name: 'lease_expires_at', nullable: true }) leaseExpiresAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}
