export type PipelineErrorCode =
  | 'PIPELINE_RUN_NOT_FOUND'
  | 'PIPELINE_STEP_NOT_FOUND'
  | 'CANDIDATE_NOT_FOUND'
  | 'CANDIDATE_PARENT_MISMATCH'
  | 'PIPELINE_INVALID_INPUT';

/** Failures of the pipeline pack; `code` is stable, the message is for people. */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';

  constructor(
    readonly code: PipelineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
