/**
 * Failures of Kiln's own job handling (not of the ComfyUI server, which are {@link ComfyUiError}s).
 * - `JOB_NOT_FOUND`: no job with that id.
 * - `JOB_ILLEGAL_TRANSITION`: a status change the lifecycle does not allow (a bug, or a stale caller).
 * - `JOB_NOT_RETRYABLE`: a manual retry of a job that has not failed.
 * - `OUTPUT_EXISTS`: a different file is already at the output path and overwrite is off.
 * - `OUTPUT_UNSAFE_PATH`: an output name that would land outside the run's folder.
 * - `OUTPUT_NOT_IMAGE`: the server's file is not a PNG, JPEG or WebP image.
 * - `OUTPUT_MISSING`: the finished prompt produced no image.
 */
export type JobErrorCode =
  | 'JOB_NOT_FOUND'
  | 'JOB_ILLEGAL_TRANSITION'
  | 'JOB_NOT_RETRYABLE'
  | 'OUTPUT_EXISTS'
  | 'OUTPUT_UNSAFE_PATH'
  | 'OUTPUT_NOT_IMAGE'
  | 'OUTPUT_MISSING';

export class JobError extends Error {
  override readonly name = 'JobError';

  constructor(
    readonly code: JobErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
