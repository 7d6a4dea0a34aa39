import type { NodeCatalogue } from './catalogue/node-catalogue';
import type { ResolvedOptions } from './emulator-options';
import type { EmulatorStats, StatCounters } from './emulator-stats';
import type { PromptWorker } from './execution/prompt-worker';
import type { FaultInjector } from './faults/fault-injector';
import type { EmulatorDirs } from './files/input-file-path';
import type { ModelLibrary } from './models/model-folders';
import type { HistoryStore } from './queue/history-store';
import type { PromptQueue } from './queue/prompt-queue';
import type { WsHub } from './ws/ws-hub';

/** Everything a route handler may touch. */
export interface EmulatorContext {
  options: ResolvedOptions;
  dirs: EmulatorDirs;
  catalogue: NodeCatalogue;
  /** Model files per folder, behind /models and the loaders' COMBO lists. */
  models: ModelLibrary;
  queue: PromptQueue;
  history: HistoryStore;
  worker: PromptWorker;
  hub: WsHub;
  faults: FaultInjector;
  counters: StatCounters;
  /** `PromptServer.number`: next prompt number, from 0 per (emulated) process start. */
  session: { number: number };
  stats(): EmulatorStats;
  /** Emulated restart: forget queue, history, cache and counter; drop sockets; optionally refuse connections for `downMs`. */
  restart(downMs?: number): Promise<void>;
  /** Stop listening for `ms` (connection refused), then listen again on the same port. */
  refuseConnections(ms: number): Promise<void>;
  dropWebSockets(): void;
  /** Writes a synthetic PNG into the input dir (kept if the name exists). */
  addInputImage(name: string): void;
  /** LoadImage's current choices. */
  inputImages(): string[];
  /** Restart plus faults and counters back to defaults. */
  reset(): Promise<void>;
}
