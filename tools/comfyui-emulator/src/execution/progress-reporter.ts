interface NodeProgress {
  value: number;
  max: number;
  state: 'running' | 'finished';
}

/**
 * The `progress_state` registry of one prompt: every node seen so far with value/max/state,
 * re-sent in full on each change (comfy_execution/progress.py WebUIProgressHandler).
 */
export class ProgressReporter {
  private readonly nodes = new Map<string, NodeProgress>();
  lastStarted: string | undefined;

  constructor(
    private readonly promptId: string,
    private readonly send: (type: string, data: unknown) => void,
  ) {}

  start(nodeId: string): void {
    this.lastStarted = nodeId;
    this.nodes.set(nodeId, { value: 0, max: 1, state: 'running' });
    this.publish();
  }

  update(nodeId: string, value: number, max: number): void {
    this.nodes.set(nodeId, { value, max, state: 'running' });
    this.publish();
  }

  finish(nodeId: string): void {
    const current = this.nodes.get(nodeId);
    const max = current?.max ?? 1;
    this.nodes.set(nodeId, { value: max, max, state: 'finished' });
    this.publish();
  }

  private publish(): void {
    const nodes = new Map<string, unknown>();
    for (const [nodeId, progress] of this.nodes) {
      nodes.set(nodeId, {
        value: progress.value,
        max: progress.max,
        state: progress.state,
        node_id: nodeId,
        prompt_id: this.promptId,
        display_node_id: nodeId,
        parent_node_id: null,
        real_node_id: nodeId,
      });
    }
    this.send('progress_state', { prompt_id: this.promptId, nodes });
  }
}
