import { PythonHeap } from './python-heap';
import { queueItemLessThan, type QueueItem } from './queue-item';

/** Pending prompts (a heap) plus the one running, as `execution.py` `PromptQueue` keeps them. */
export class PromptQueue {
  private heap = new PythonHeap<QueueItem>(queueItemLessThan);
  running: QueueItem | undefined;

  constructor(private readonly onChange: () => void) {}

  put(item: QueueItem): void {
    this.heap.push(item);
    this.onChange();
  }

  /** Takes the next prompt and marks it running. */
  take(): QueueItem | undefined {
    const item = this.heap.pop();
    if (!item) return undefined;
    this.running = item;
    this.onChange();
    return item;
  }

  /** Clears `running` without a broadcast; the caller writes history first and then announces. */
  finishRunning(): void {
    this.running = undefined;
  }

  pending(): QueueItem[] {
    return this.heap.items;
  }

  remaining(): number {
    return this.heap.items.length + (this.running ? 1 : 0);
  }

  clear(): void {
    this.heap.items = [];
    this.onChange();
  }

  /** Removes the first pending item with this id (never the running one); ComfyUI `delete_queue_item`. */
  deletePending(promptId: unknown): boolean {
    const index = this.heap.items.findIndex((item) => item.promptId === promptId);
    if (index < 0) return false;
    if (this.heap.items.length === 1) {
      this.heap.items = [];
    } else {
      this.heap.items.splice(index, 1);
      this.heap.heapify();
    }
    this.onChange();
    return true;
  }

  /** Forgets everything (emulated restart) without announcing it. */
  reset(): void {
    this.heap.items = [];
    this.running = undefined;
  }
}
