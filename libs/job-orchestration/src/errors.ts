/** Stable codes of failures job-orchestration throws (expected outcomes are union results instead). */
export type JobOrchestrationErrorCode =
  | 'SLUG_INVALID'
  | 'WORKFLOW_INVALID'
  | 'STEP_DEFINITION_INVALID'
  | 'PAYLOAD_UNBUILDABLE'
  | 'TRANSACTION_REQUIRED';

export class JobOrchestrationError extends Error {
  override readonly name = 'JobOrchestrationError';
  constructor(
    readonly code: JobOrchestrationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
