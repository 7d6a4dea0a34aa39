import type { EmulatorOptions } from './emulator-options';
import { EmulatorServer } from './emulator-server';
import type { EmulatorStats } from './emulator-stats';
import type { EmulatorFaults } from './faults/emulator-faults';

/** A started emulator. Always `close()` it (tests: in afterAll/afterEach). */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` plus the base path; WebSocket at `url.replace('http', 'ws') + '/ws'`. */
  url: string;
  port: number;
  outputDir: string;
  inputDir: string;
  /** Where PreviewImage writes (`type=temp`); emptied on restart, removed on close. */
  tempDir: string;
  /** Merges into the active faults; a new `requests` list replaces the old one. */
  setFaults(faults: Partial<EmulatorFaults>): void;
  resetFaults(): void;
  /** The active faults (spent request rules left out). */
  faults(): EmulatorFaults;
  /**
   * Emulated ComfyUI restart: the running prompt is dropped without history, queue, history, node
   * cache and the `number` counter are forgotten, every socket is closed; files stay.
   * With `downMs`, connections are refused for that long afterwards.
   */
  restart(downMs?: number): Promise<void>;
  /** Stop listening for `ms` (ECONNREFUSED), then listen on the same port again. */
  refuseConnections(ms: number): Promise<void>;
  /** Terminate every WebSocket abruptly (clients see close code 1006). */
  dropWebSockets(): void;
  /** Files per model folder as /models/<folder> lists them. */
  models(): Record<string, string[]>;
  /** Replaces the given folders' files (aliases `clip`, `unet` accepted); other folders stay. Throws on an unknown folder. */
  setModels(models: Record<string, string[]>): void;
  /** Writes synthetic PNGs with these names into the input dir (existing files are kept). */
  addInputImages(names: string[]): void;
  /** Faults and counters back to defaults, plus a restart. */
  reset(): Promise<void>;
  stats(): EmulatorStats;
  close(): Promise<void>;
}

/** Starts a ComfyUI 0.3.64-compatible HTTP + WebSocket server. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const server = new EmulatorServer(options);
  await server.listen();
  server.options.log(`comfyui-emulator listening on ${server.url}`);
  return {
    url: server.url,
    port: server.port,
    outputDir: server.dirs.output,
    inputDir: server.dirs.input,
    tempDir: server.dirs.temp,
    setFaults: (faults) => server.setFaults(faults),
    resetFaults: () => server.faults.reset(),
    faults: () => server.faults.current(),
    restart: (downMs) => server.restart(downMs),
    refuseConnections: (ms) => server.refuseConnections(ms),
    dropWebSockets: () => server.dropWebSockets(),
    reset: () => server.reset(),
    stats: () => server.stats(),
    models: () => server.models.all(),
    setModels: (models) => server.models.replace(models),
    addInputImages: (names) => server.addInputImages(names),
    close: () => server.close(),
  };
}
