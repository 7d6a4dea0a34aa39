import type { ComfyUiJobStatus } from './comfyui-job.entity';

/**
 * Every legal move of a job. Anything else is a bug and raises JOB_ILLEGAL_TRANSITION.
 * - submitted → completed: a fast prompt can finish before anyone saw it running.
 * - submitted/running → pending: the server lost the prompt (restart, queue cleared): resubmit.
 * - completed → failed: the result had no image or could not be downloaded.
 * - failed → pending / completed: a person retries it (regenerate, or re-download a kept result).
 */
export const jobTransitions: Readonly<Record<ComfyUiJobStatus, readonly ComfyUiJobStatus[]>> = {
  pending: ['submitted', 'failed'],
  submitted: ['running', 'completed', 'failed', 'pending'],
  running: ['completed', 'failed', 'pending'],
  completed: ['failed'],
  failed: ['pending', 'completed'],
};

export function canTransition(from: ComfyUiJobStatus, to: ComfyUiJobStatus): boolean {
  return jobTransitions[from].includes(to);
}

/** Submitted or running: the prompt is (or should be) on a ComfyUI server. */
export const inFlightStatuses: readonly ComfyUiJobStatus[] = ['submitted', 'running'];
