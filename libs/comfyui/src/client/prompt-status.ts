import { collectOutputImages } from './output-refs';
import type { ExecutionErrorInfo, ExecutionInterruptedInfo, HistoryEntry, PromptStatus, QueueState } from './types';
import { idList, stringOr } from './validate';

/**
 * `queued` or `running` when `/queue` has the prompt. Read `/queue` first and `/history` second:
 * ComfyUI moves a finished prompt from running into history under one lock, so a prompt that
 * finishes between the two reads is found in history, never reported as lost.
 */
export function statusFromQueue(queue: QueueState, promptId: string): PromptStatus | undefined {
  const running = queue.running.find((item) => item.promptId === promptId);
  if (running) return { state: 'running', promptId, number: running.number };
  const position = queue.pending.findIndex((item) => item.promptId === promptId);
  if (position >= 0) return { state: 'queued', promptId, number: queue.pending[position].number, position };
  return undefined;
}

/** `completed` or `failed` from a history entry; `unknown` when there is none. Throws `ShapeError` on hostile outputs. */
export function statusFromHistory(entry: HistoryEntry | undefined, promptId: string): PromptStatus {
  if (!entry) return { state: 'unknown', promptId };
  const outputs = collectOutputImages(entry.outputs, 'outputs');
  const status = entry.status;
  // Servers older than the status field only stored finished, successful runs.
  if (!status || (status.status_str === 'success' && status.completed)) {
    return { state: 'completed', promptId, history: entry, outputs };
  }
  const interrupted = findMessage(entry, 'execution_interrupted');
  if (interrupted) {
    return { state: 'failed', promptId, history: entry, reason: 'interrupted', interrupted: toInterruptedInfo(interrupted, promptId), outputs };
  }
  const error = findMessage(entry, 'execution_error');
  return { state: 'failed', promptId, history: entry, reason: 'error', error: error ? toExecutionErrorInfo(error, promptId) : undefined, outputs };
}

function findMessage(entry: HistoryEntry, event: string): Record<string, unknown> | undefined {
  return entry.status?.messages.find(([name]) => name === event)?.[1];
}

/** Reads ComfyUI's `execution_error` data (history message or WebSocket event). */
function toExecutionErrorInfo(data: Record<string, unknown>, promptId?: string): ExecutionErrorInfo {
  return {
    promptId: stringOr(data['prompt_id'], promptId ?? ''),
    nodeId: String(data['node_id'] ?? ''),
    nodeType: stringOr(data['node_type'], ''),
    exceptionType: stringOr(data['exception_type'], ''),
    exceptionMessage: stringOr(data['exception_message'], '').trimEnd(),
    traceback: Array.isArray(data['traceback']) ? data['traceback'].filter((l): l is string => typeof l === 'string') : [],
    executed: idList(data['executed']),
    timestamp: typeof data['timestamp'] === 'number' ? data['timestamp'] : undefined,
  };
}

/** Reads ComfyUI's `execution_interrupted` data. */
function toInterruptedInfo(data: Record<string, unknown>, promptId?: string): ExecutionInterruptedInfo {
  return {
    promptId: stringOr(data['prompt_id'], promptId ?? ''),
    nodeId: String(data['node_id'] ?? ''),
    nodeType: stringOr(data['node_type'], ''),
    executed: idList(data['executed']),
    timestamp: typeof data['timestamp'] === 'number' ? data['timestamp'] : undefined,
  };
}
