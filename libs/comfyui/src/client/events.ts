import { collectOutputImages } from './output-refs';
import { isRecord } from './validate';

/** `status`: queue length changed; the first frame of a connection also carries `sid`. */
export interface StatusEvent {
  type: 'status';
  data: { status: { exec_info: { queue_remaining: number } }; sid?: string };
}
export interface ExecutionStartEvent {
  type: 'execution_start';
  data: { prompt_id: string; timestamp?: number };
}
export interface ExecutionCachedEvent {
  type: 'execution_cached';
  data: { nodes: string[]; prompt_id: string; timestamp?: number };
}
/** `node: null` with a `prompt_id` is the reliable "prompt finished" signal (sent after the history write). */
export interface ExecutingEvent {
  type: 'executing';
  data: { node: string | null; display_node?: string; prompt_id?: string };
}
export interface ProgressEvent {
  type: 'progress';
  data: { value: number; max: number; prompt_id?: string; node?: string | null };
}
/** A node produced UI output; `output.images` entries are validated like history outputs. */
export interface ExecutedEvent {
  type: 'executed';
  data: { node: string; display_node?: string; output: Record<string, unknown> | null; prompt_id: string };
}
export interface ExecutionSuccessEvent {
  type: 'execution_success';
  data: { prompt_id: string; timestamp?: number };
}
export interface ExecutionErrorEvent {
  type: 'execution_error';
  data: {
    prompt_id: string;
    node_id: string;
    node_type: string;
    exception_type: string;
    exception_message: string;
    traceback?: string[];
    executed?: string[];
    timestamp?: number;
    [key: string]: unknown;
  };
}
export interface ExecutionInterruptedEvent {
  type: 'execution_interrupted';
  data: { prompt_id: string; node_id: string; node_type: string; executed?: string[]; timestamp?: number };
}

/** The ComfyUI socket messages the client understands. Others (e.g. `progress_state`, `feature_flags`) are ignored. */
export type ComfyUiEvent =
  | StatusEvent
  | ExecutionStartEvent
  | ExecutionCachedEvent
  | ExecutingEvent
  | ProgressEvent
  | ExecutedEvent
  | ExecutionSuccessEvent
  | ExecutionErrorEvent
  | ExecutionInterruptedEvent;

type ComfyUiEventType = ComfyUiEvent['type'];

const COMFY_EVENT_TYPES: readonly ComfyUiEventType[] = [
  'status',
  'execution_start',
  'execution_cached',
  'executing',
  'progress',
  'executed',
  'execution_success',
  'execution_error',
  'execution_interrupted',
];

export type ParsedFrame = { event: ComfyUiEvent } | { ignored: string };

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Parses one text frame. Unknown types and malformed messages are reported as ignored, never thrown. */
export function parseFrame(text: string): ParsedFrame {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { ignored: 'not JSON' };
  }
  if (!isRecord(message) || !str(message['type'])) return { ignored: 'no type' };
  const type = message['type'];
  const data = message['data'];
  if (!(COMFY_EVENT_TYPES as readonly string[]).includes(type)) return { ignored: `unknown type ${type}` };
  if (!isRecord(data)) return { ignored: `${type} without data` };
  const problem = checkData(type as ComfyUiEventType, data);
  if (problem) return { ignored: `${type}: ${problem}` };
  return { event: { type, data } as ComfyUiEvent };
}

function checkData(type: ComfyUiEventType, data: Record<string, unknown>): string | undefined {
  switch (type) {
    case 'status': {
      const status = data['status'];
      const info = isRecord(status) ? status['exec_info'] : undefined;
      if (!isRecord(info) || !num(info['queue_remaining'])) return 'no status.exec_info.queue_remaining';
      return data['sid'] === undefined || str(data['sid']) ? undefined : 'sid is not a string';
    }
    case 'executing':
      return data['node'] === null || str(data['node']) ? undefined : 'node is neither a string nor null';
    case 'progress':
      return num(data['value']) && num(data['max']) ? undefined : 'value/max are not numbers';
    case 'executed': {
      if (!str(data['prompt_id']) || !str(data['node'])) return 'no prompt_id or node';
      const output = data['output'];
      if (output === null || output === undefined) return undefined;
      if (!isRecord(output)) return 'output is not an object';
      try {
        collectOutputImages({ [data['node']]: output }, 'output');
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    }
    case 'execution_cached':
      return str(data['prompt_id']) && Array.isArray(data['nodes']) ? undefined : 'no prompt_id or nodes';
    default:
      return str(data['prompt_id']) ? undefined : 'no prompt_id';
  }
}
