import type { SocketImage } from '../client/binary-frames';
import type { ComfyUiEventStream } from '../client/event-stream';

/** Images of one prompt cannot pile up without bound: past this it is a failure, not a slow leak. */
const MAX_BYTES_PER_PROMPT = 512 * 1024 * 1024;

/** What a prompt's socket output nodes sent, once ComfyUI reported the prompt done. */
export type SocketImagesResult = { images: Map<string, Buffer[]> } | { problem: string };

interface Expected {
  server: string;
  nodes: Set<string>;
  images: Map<string, Buffer[]>;
  bytes: number;
  /** ComfyUI began running it: frames may have been sent. */
  started: boolean;
  done: boolean;
  /** When it was settled, in the collector's own count of settlements (see {@link SocketImageCollector.mark}). */
  settledAt?: number;
  problem?: string;
  waiters: Set<() => void>;
}

/**
 * Keeps the images `SaveImageWebsocket` nodes send as binary frames, for the prompts this engine
 * posted with such outputs. ComfyUI sends them to the prompt's client only, in order with the text
 * messages; a plain preview frame carries no ids, so it belongs to the node of the last `executing`
 * message (a frame with metadata names its node and prompt). Frames of other nodes (sampler
 * previews) are dropped. Held in memory: a worker that restarts mid-prompt, or a socket that drops
 * while a prompt runs, cannot get them back, and the job fails saying so.
 */
export class SocketImageCollector {
  private readonly expected = new Map<string, Expected>();
  private settlements = 0;

  /** Listens on a server's stream; call once per server. */
  follow(stream: ComfyUiEventStream, server: string): void {
    // Per stream: each server runs its own prompt, and a frame belongs to its own server's node.
    let executing: { promptId: string; nodeId: string } | undefined;
    stream.on('execution_start', (e) => this.markStarted(e.data.prompt_id));
    stream.on('executing', (e) => {
      const promptId = e.data.prompt_id;
      executing = promptId && e.data.node !== null ? { promptId, nodeId: e.data.node } : undefined;
      if (promptId) this.markStarted(promptId);
      if (promptId && e.data.node === null) this.settle(promptId);
    });
    stream.on('image', (image) => this.add(image, executing));
    stream.on('execution_error', (e) => this.settle(e.data.prompt_id));
    stream.on('execution_interrupted', (e) => this.settle(e.data.prompt_id));
    stream.on('disconnected', () => {
      executing = undefined;
      // A prompt still queued loses nothing; one that ran may have sent frames into the void.
      for (const [promptId, entry] of this.expected) {
        if (entry.server === server && entry.started && !entry.done) this.settle(promptId, 'the WebSocket connection dropped while the prompt ran, so its WebSocket images were lost');
      }
    });
  }

  /** Before posting (again): the prompt's images from these nodes are to be kept. */
  expect(promptId: string, server: string, nodeIds: string[]): void {
    const open = this.expected.get(promptId);
    if (open && !open.done) open.server = server;
    if (nodeIds.length === 0 || (open && !open.done)) return;
    // A settled entry belongs to an earlier post of the same prompt id (a lost prompt posted again).
    this.expected.set(promptId, { server, nodes: new Set(nodeIds), images: new Map(), bytes: 0, started: false, done: false, waiters: new Set() });
  }

  /**
   * The prompt's socket images once ComfyUI reported it done, waiting up to `timeoutMs` for that
   * report (the history can be read before the socket delivered its last messages). Forgets them.
   */
  async take(promptId: string, timeoutMs: number): Promise<SocketImagesResult> {
    const entry = this.expected.get(promptId);
    if (!entry) return { problem: 'its WebSocket images were not collected by this process (was it restarted while the prompt ran?)' };
    if (!entry.done) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, timeoutMs);
        function finish(): void {
          clearTimeout(timer);
          entry?.waiters.delete(finish);
          resolve();
        }
        entry.waiters.add(finish);
      });
    }
    if (!entry.done) return { problem: `ComfyUI did not report the prompt done on the WebSocket within ${timeoutMs} ms, so its WebSocket images may be incomplete` };
    this.expected.delete(promptId);
    return entry.problem ? { problem: entry.problem } : { images: entry.images };
  }

  /** A point in the order of settlements: take it before reading which jobs are in flight, and give it to {@link prune}. */
  mark(): number {
    return this.settlements;
  }

  /**
   * Forgets reported prompts no longer in flight or waiting to be processed (failed ones, say), among
   * those settled up to `mark`. A prompt settled later may belong to a job posted and finished after
   * the caller read the jobs in flight: its images are still to be taken, so it waits for the next prune.
   */
  prune(keep: Set<string>, mark: number): void {
    for (const [promptId, entry] of this.expected) {
      if (entry.done && (entry.settledAt ?? 0) <= mark && !keep.has(promptId)) this.expected.delete(promptId);
    }
  }

  private add(image: SocketImage, executing: { promptId: string; nodeId: string } | undefined): void {
    const promptId = image.promptId ?? executing?.promptId;
    const nodeId = image.nodeId ?? executing?.nodeId;
    const entry = promptId === undefined ? undefined : this.expected.get(promptId);
    if (!entry || entry.done || nodeId === undefined || !entry.nodes.has(nodeId)) return;
    entry.bytes += image.bytes.length;
    if (entry.bytes > MAX_BYTES_PER_PROMPT) {
      this.settle(promptId as string, `its WebSocket images passed ${MAX_BYTES_PER_PROMPT / 1024 / 1024} MB`);
      return;
    }
    const list = entry.images.get(nodeId) ?? [];
    list.push(Buffer.from(image.bytes));
    entry.images.set(nodeId, list);
  }

  private markStarted(promptId: string): void {
    const entry = this.expected.get(promptId);
    if (entry) entry.started = true;
  }

  private settle(promptId: string, problem?: string): void {
    const entry = this.expected.get(promptId);
    if (!entry || entry.done) return;
    entry.done = true;
    entry.settledAt = ++this.settlements;
    if (problem) {
      entry.problem = problem;
      entry.images.clear();
    }
    for (const wake of [...entry.waiters]) wake();
  }
}
