import type { NodeCatalogue } from '../catalogue/node-catalogue';
import type { StatCounters } from '../emulator-stats';
import type { FaultInjector } from '../faults/fault-injector';
import type { EmulatorDirs } from '../files/input-file-path';
import type { HistoryStore } from '../queue/history-store';
import type { PromptQueue } from '../queue/prompt-queue';
import type { QueueItem } from '../queue/queue-item';
import type { WsHub } from '../ws/ws-hub';
import { OutputCache } from './output-cache';
import { RunControl, RunStopped } from './run-control';
import { clientSidOf, runPrompt } from './run-prompt';

export interface PromptWorkerDeps {
  catalogue: NodeCatalogue;
  dirs: EmulatorDirs;
  queue: PromptQueue;
  history: HistoryStore;
  hub: WsHub;
  faults: FaultInjector;
  counters: StatCounters;
  isBrokenCheckpoint(name: string): boolean;
  promptDurationMs: number;
  nodeDurationMs: Record<string, number>;
  log(message: string): void;
}

interface CurrentRun {
  item: QueueItem;
  control: RunControl;
  node: string | undefined;
}

/** ComfyUI's single worker thread: one prompt at a time, in heap order. */
export class PromptWorker {
  readonly cache = new OutputCache();
  private current: CurrentRun | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly deps: PromptWorkerDeps) {}

  get running(): QueueItem | undefined {
    return this.current?.item;
  }

  /** The node executing for this sid's prompt, for a reconnecting socket. */
  runningNodeFor(sid: string): string | undefined {
    if (!this.current || clientSidOf(this.current.item.extraData) !== sid) return undefined;
    return this.current.node;
  }

  /** Starts draining the queue if idle. */
  kick(): void {
    if (this.loop || this.closed) return;
    this.loop = this.drain().finally(() => {
      this.loop = undefined;
    });
  }

  /** `/interrupt`: global, or only if `promptId` is the running prompt. */
  interrupt(promptId?: string): boolean {
    if (!this.current) return false;
    if (promptId !== undefined && this.current.item.promptId !== promptId) return false;
    this.current.control.stop('interrupt');
    return true;
  }

  /** Abandons the running prompt without history (restart) and waits for the loop to notice. */
  async cancel(): Promise<void> {
    this.current?.control.stop('cancel');
    await this.loop;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cancel();
  }

  reopen(): void {
    this.closed = false;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const item = this.deps.queue.take();
      if (!item) return;
      const control = new RunControl();
      const current: CurrentRun = { item, control, node: undefined };
      this.current = current;
      try {
        await this.execute(item, control, current);
      } finally {
        this.current = undefined;
      }
      if (control.stopped === 'cancel') return;
    }
  }

  private async execute(item: QueueItem, control: RunControl, current: CurrentRun): Promise<void> {
    const { deps } = this;
    const faults = {
      hang: deps.faults.take('hangPrompts'),
      fail: deps.faults.take('failPrompts'),
      failMessage: deps.faults.value.failPromptMessage,
    };
    try {
      const { outcome, entry } = await runPrompt(
        item,
        {
          catalogue: deps.catalogue,
          cache: this.cache,
          dirs: deps.dirs,
          send: (type, data, sid) => deps.hub.send(type, data, sid),
          sendPreviewImage: (png, sid, metadata) => deps.hub.sendPreviewImage(png, sid, metadata),
          isBrokenCheckpoint: deps.isBrokenCheckpoint,
          nodeDurationMs: (classType, nodesToRun) =>
            deps.promptDurationMs / Math.max(1, nodesToRun) + (deps.nodeDurationMs[classType] ?? 0),
          faults,
          onNodeStart: (node) => {
            current.node = node;
          },
        },
        control,
      );
      deps.queue.finishRunning();
      deps.history.add(item.promptId, entry);
      deps.counters.promptsExecuted++;
      if (outcome === 'success') deps.counters.promptsSucceeded++;
      else if (outcome === 'error') deps.counters.promptsFailed++;
      else deps.counters.promptsInterrupted++;
      deps.log(`prompt ${item.promptId} finished: ${outcome}`);
    } catch (error) {
      deps.queue.finishRunning();
      if (error instanceof RunStopped && error.reason === 'cancel') return;
      deps.log(`prompt ${item.promptId} crashed: ${error instanceof Error ? error.stack : String(error)}`);
    }
    deps.hub.broadcastStatus();
    const sid = clientSidOf(item.extraData);
    if (sid !== null) deps.hub.send('executing', { node: null, prompt_id: item.promptId }, sid);
  }
}
