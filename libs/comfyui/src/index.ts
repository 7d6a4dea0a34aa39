// ComfyUI client
export { ComfyUiClient } from './client/comfyui-client';
export type { OpenEventsOptions, SubmitPromptOptions, UploadImageOptions } from './client/comfyui-client';
export { ComfyUiEventStream } from './client/event-stream';
export type { ComfyUiEventStreamEvents, ReconnectedInfo } from './client/event-stream';
export type {
  ComfyUiEvent,
  ComfyUiEventType,
  ExecutedEvent,
  ExecutingEvent,
  ExecutionCachedEvent,
  ExecutionErrorEvent,
  ExecutionInterruptedEvent,
  ExecutionStartEvent,
  ExecutionSuccessEvent,
  ProgressEvent,
  StatusEvent,
} from './client/events';
export type { ComfyUiClientLogger, ComfyUiClientOptions, ComfyUiReconnectOptions, ComfyUiRetryOptions } from './client/options';
export type {
  ExecutionErrorInfo,
  ExecutionInterruptedInfo,
  HistoryEntry,
  HistoryPromptTuple,
  HistoryStatusMessage,
  NodeInfo,
  NodeInputSpec,
  NodeValidationError,
  ObjectInfo,
  OutputImage,
  OutputRef,
  OutputType,
  PromptState,
  PromptStatus,
  QueueItem,
  QueueState,
  SubmittedPrompt,
  SystemDevice,
  SystemStats,
  UploadedImage,
} from './client/types';
export { ComfyUiError, isComfyUiError } from './errors';
export type { ComfyUiErrorCode, ComfyUiErrorDetails } from './errors';

// Job ledger and commands
export { ComfyUiJob } from './jobs/comfyui-job.entity';
export type { ComfyUiJobPayload, ComfyUiJobStatus } from './jobs/comfyui-job.entity';
export { comfyUiEntities, comfyUiMigrations } from './jobs/schema';
export { canTransition, jobTransitions } from './jobs/job-transitions';
export { JobError } from './jobs/job-error';
export type { JobErrorCode } from './jobs/job-error';
export { createPendingJob, findInFlightJobs, getJob } from './jobs/job-ledger';
export type { CreateJobInput } from './jobs/job-ledger';
export { countJobsByRun, listRunJobs, resolveJobIdPrefix } from './jobs/run-jobs';
export { isOpenJob } from './jobs/job-status-sets';
export { releaseDeadLeases } from './jobs/dead-leases';
export { submitJob } from './commands/submit-job';
export type { SubmitJobOptions, SubmitJobResult } from './commands/submit-job';
export { pollJobStatus } from './commands/poll-job-status';
export type { PollJobStatusOptions, PollJobStatusResult } from './commands/poll-job-status';
export { processJobResult } from './commands/process-job-result';
export type { ProcessJobResultOptions, ProcessJobResultOutcome } from './commands/process-job-result';
export { retryFailedJobs } from './commands/retry-failed-jobs';
export type { RetryFailedJobsResult } from './commands/retry-failed-jobs';
export { prepareRunForResume } from './commands/prepare-run-for-resume';
export type { PrepareRunForResumeResult } from './commands/prepare-run-for-resume';
export type { JobCommandDeps, RetryPolicy } from './commands/job-command-deps';
export { sidecarPath } from './files/sidecar';
export type { SidecarMetadata } from './files/sidecar';

// Engine (the worker's and the CLI's loops)
export { JobEngine } from './engine/job-engine';
export type { JobEngineOptions } from './engine/resolve-engine-options';
export type { JobEngineEvent, JobEngineEventType } from './engine/job-engine-events';
export type { RunSummary } from './engine/run-summary';
export { EngineMetrics } from './engine/engine-metrics';
