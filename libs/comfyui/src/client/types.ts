import type { ApiWorkflow } from '@kiln/job-orchestration';

/** ComfyUI's storage areas. Uploads default to `input`, `/view` to `output`. */
export type OutputType = 'output' | 'input' | 'temp';

/** A file ComfyUI can serve through `/view`. `subfolder` is `''` for the top level. */
export interface OutputRef {
  filename: string;
  subfolder: string;
  type: OutputType;
}

/** An image produced by a node of a finished prompt. */
export interface OutputImage extends OutputRef {
  /** Id of the node that produced it (a SaveImage or PreviewImage node). */
  nodeId: string;
}

/** One validation error of one node, from ComfyUI's `node_errors`, flattened. */
export interface NodeValidationError {
  nodeId: string;
  /** The node's `class_type`, when ComfyUI reports it. */
  classType?: string;
  /** ComfyUI's error type, e.g. `value_not_in_list`, `required_input_missing`. */
  type: string;
  message: string;
  details: string;
  /** The input concerned, when the error is about one input. */
  inputName?: string;
  /** The value ComfyUI received for that input, when reported. */
  receivedValue?: unknown;
  /** Output node ids that depend on this node and were therefore dropped. */
  dependentOutputs: string[];
  /** ComfyUI's raw `extra_info`. */
  extraInfo: Record<string, unknown>;
  /** One line for humans, e.g. `node 4 (CheckpointLoaderSimple) input ckpt_name: 'x' is not one of: a, b`. */
  readable: string;
}

/** Result of `POST /prompt`. */
export interface SubmittedPrompt {
  promptId: string;
  /** Queue priority number assigned by the server (restarts at 0 when ComfyUI restarts). */
  number: number;
  /** Non-empty when some output nodes failed validation and were dropped but others were queued. */
  nodeErrors: NodeValidationError[];
}

/** One queued or running prompt, from `GET /queue`. */
export interface QueueItem {
  number: number;
  promptId: string;
  prompt: ApiWorkflow;
  /** As stored by ComfyUI; contains `client_id`. May hold API-node keys while queued: do not log. */
  extraData: Record<string, unknown>;
  outputsToExecute: string[];
}

/** `GET /queue`, with `pending` sorted into run order. */
export interface QueueState {
  running: QueueItem[];
  pending: QueueItem[];
}

/** The 5-element queue tuple as stored in history: `[number, prompt_id, prompt, extra_data, outputs]`. */
type HistoryPromptTuple = [number, string, ApiWorkflow, Record<string, unknown>, string[], ...unknown[]];

/** `[event, data]`, where event is `execution_start`, `execution_cached`, `execution_success`, `execution_error` or `execution_interrupted`. */
type HistoryStatusMessage = [string, Record<string, unknown>];

/** A history entry exactly as ComfyUI stores it (`GET /history/{id}`), shape-checked. */
export interface HistoryEntry {
  prompt: HistoryPromptTuple;
  /** UI outputs keyed by node id, e.g. `{"9": {"images": [OutputRef…]}}`. */
  outputs: Record<string, Record<string, unknown>>;
  status?: {
    status_str: string;
    completed: boolean;
    messages: HistoryStatusMessage[];
  };
  meta?: Record<string, unknown>;
  [key: string]: unknown;
}

/** ComfyUI's `execution_error` data, as carried by a failed prompt and by the event stream. */
export interface ExecutionErrorInfo {
  promptId: string;
  nodeId: string;
  nodeType: string;
  /** e.g. `Exception`, `FileNotFoundError`, `torch.OutOfMemoryError`. */
  exceptionType: string;
  exceptionMessage: string;
  traceback: string[];
  /** Nodes that did run before the failure. */
  executed: string[];
  timestamp?: number;
}

/** ComfyUI's `execution_interrupted` data. */
export interface ExecutionInterruptedInfo {
  promptId: string;
  nodeId: string;
  nodeType: string;
  executed: string[];
  timestamp?: number;
}

/**
 * Where a prompt is, derived from `/queue` then `/history/{id}`.
 * `unknown` means neither has it: never submitted, deleted, or lost in a server restart.
 */
export type PromptStatus =
  | { state: 'queued'; promptId: string; number: number; /** 0 = runs next. */ position: number }
  | { state: 'running'; promptId: string; number: number }
  | { state: 'completed'; promptId: string; history: HistoryEntry; outputs: OutputImage[] }
  | {
      state: 'failed';
      promptId: string;
      history: HistoryEntry;
      reason: 'error' | 'interrupted';
      /** Present when `reason` is `error` and ComfyUI recorded the `execution_error`. */
      error?: ExecutionErrorInfo;
      /** Present when `reason` is `interrupted`. */
      interrupted?: ExecutionInterruptedInfo;
      /** Whatever images were saved before the failure. */
      outputs: OutputImage[];
    }
  | { state: 'unknown'; promptId: string };

/** Reply of `POST /upload/image`: the name under which the server stored the file. */
export interface UploadedImage {
  /** May differ from the name sent: ComfyUI renames clashes to `name (1).ext`. */
  name: string;
  subfolder: string;
  type: OutputType;
}

/** `/object_info`: one definition for all of Kiln, owned by the orchestration pack. */
export type { NodeInfo, ObjectInfo } from '@kiln/job-orchestration';

/** One compute device from `/system_stats`. */
interface SystemDevice {
  name: string;
  type: string;
  index: number | null;
  vram_total: number;
  vram_free: number;
  [key: string]: unknown;
}

/** `GET /system_stats`. */
export interface SystemStats {
  system: {
    os: string;
    comfyui_version?: string;
    python_version?: string;
    pytorch_version?: string;
    ram_total: number;
    ram_free: number;
    [key: string]: unknown;
  };
  devices: SystemDevice[];
}
