import type { ComfyUiJobStatus } from './comfyui-job.entity';
import { JobError } from './job-error';

/**
 * Every legal move of a job. Anything else is a bug and raises JOB_ILLEGAL_TRANSITION.
 * - submitted → completed: a fast prompt can finish before anyone saw it running.
 * - submitted/running → pending: the server lost the prompt (restart, queue cleared): resubmit.
 * - completed → failed: the result had no image or could not be downloaded.
 * - failed → pending / completed: a person retries it (regenerate, or re-download a kept result).
 * @internal exported for its spec
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

/** A status change one SQL statement makes to rows it has not read (by prompt id, or in bulk). */
export interface StatusMove {
  from: readonly ComfyUiJobStatus[];
  to: ComfyUiJobStatus;
}

/**
 * Declares such a move, checked against {@link jobTransitions}. Statements declare theirs where
 * their module loads, so a change of the table that forbids one fails at start (and in every test)
 * instead of letting the statement write a move the lifecycle no longer allows.
 */
export function checkedMove(from: readonly ComfyUiJobStatus[], to: ComfyUiJobStatus): StatusMove {
  const illegal = from.filter((status) => !canTransition(status, to));
  if (illegal.length) throw new JobError('JOB_ILLEGAL_TRANSITION', `a statement moves jobs from ${illegal.join(', ')} to ${to}, which the transition table forbids`);
  return { from, to };
}
