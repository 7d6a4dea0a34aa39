import { PythonFloat } from '../python/python-values';
import type { ApiPrompt } from '../validation/validate-prompt';

/** One queued prompt: ComfyUI's `(number, prompt_id, prompt, extra_data, outputs_to_execute)`. */
export interface QueueItem {
  number: number;
  /** A client-sent `number` goes through `float()` and is echoed as `5.0`. */
  numberIsFloat: boolean;
  promptId: string;
  prompt: ApiPrompt;
  extraData: Record<string, unknown>;
  outputsToExecute: string[];
}

export function queueNumberValue(item: QueueItem): number | PythonFloat {
  return item.numberIsFloat ? new PythonFloat(item.number) : item.number;
}

/** The 5-element array /queue and /history show. */
export function queueTuple(item: QueueItem, extraData = item.extraData): unknown[] {
  return [queueNumberValue(item), item.promptId, item.prompt, extraData, item.outputsToExecute];
}

/** Heap order: smaller number first, then smaller prompt_id (Python tuple comparison). */
export function queueItemLessThan(a: QueueItem, b: QueueItem): boolean {
  if (a.number !== b.number) return a.number < b.number;
  return a.promptId < b.promptId;
}
