/** One /history entry, exactly the captured layout. */
export interface HistoryEntry {
  prompt: unknown[];
  outputs: Map<string, unknown>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: Array<[string, unknown]> };
  meta: Map<string, unknown>;
}

/**
 * Finished prompts in completion order. Like ComfyUI, when more than `limit` entries are held at
 * insert time the oldest is dropped (so up to limit+1 exist), and a reused id keeps its position.
 */
export class HistoryStore {
  private readonly entries = new Map<string, HistoryEntry>();

  constructor(private readonly limit = 10000) {}

  add(promptId: string, entry: HistoryEntry): void {
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(promptId, entry);
  }

  get(promptId: string): HistoryEntry | undefined {
    return this.entries.get(promptId);
  }

  size(): number {
    return this.entries.size;
  }

  delete(promptId: unknown): void {
    if (typeof promptId === 'string') this.entries.delete(promptId);
  }

  clear(): void {
    this.entries.clear();
  }

  /** `PromptQueue.get_history` without an id: `max_items` counts from the end, `offset` from the start. */
  list(maxItems?: number, offset = -1): Map<string, HistoryEntry> {
    const out = new Map<string, HistoryEntry>();
    let start = offset;
    if (start < 0 && maxItems !== undefined) start = this.entries.size - maxItems;
    let i = 0;
    for (const [id, entry] of this.entries) {
      if (i >= start) {
        out.set(id, entry);
        if (maxItems !== undefined && out.size >= maxItems) break;
      }
      i++;
    }
    return out;
  }
}
