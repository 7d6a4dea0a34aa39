// ComfyUI client
export { ComfyClient } from './client/comfy-client';
export type { OpenEventsOptions, SubmitPromptOptions, UploadImageOptions } from './client/comfy-client';
export { ComfyEventStream } from './client/event-stream';
export type { ComfyEventStreamEvents, ReconnectedInfo } from './client/event-stream';
export type {
  ComfyEvent,
  ComfyEventType,
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
export type { ComfyClientLogger, ComfyClientOptions, ComfyReconnectOptions, ComfyRetryOptions } from './client/options';
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
  Workflow,
  WorkflowNode,
} from './client/types';
export { ComfyUiError, isComfyUiError } from './errors';
export type { ComfyUiErrorCode, ComfyUiErrorDetails } from './errors';
