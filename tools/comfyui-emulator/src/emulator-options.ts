import type { EmulatorFaults } from './faults/emulator-faults';

export const DEFAULT_CHECKPOINTS = [
  'v1-5-pruned-emaonly.safetensors',
  'sd_xl_base_1.0.safetensors',
  'dreamshaper_8.safetensors',
];

/** How to start an emulator. Every field is optional. */
export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Where SaveImage writes; default a fresh temp dir, removed on close. */
  outputDir?: string;
  /** Where uploads land and LoadImage reads; default a fresh temp dir holding `example.png`, removed on close. */
  inputDir?: string;
  /** Names served by /models/checkpoints and offered by CheckpointLoaderSimple. */
  checkpoints?: string[];
  /**
   * Checkpoints that fail at load time like the captured `ckpt_runtime_error` run.
   * Default: every checkpoint whose name contains "broken".
   */
  brokenCheckpoints?: string[];
  /** Embedding names for /embeddings; default none. */
  embeddings?: string[];
  /** Time each prompt takes, spread over the nodes that really run; default 0. */
  promptDurationMs?: number;
  /** Extra time per executed node of a class, e.g. `{ KSampler: 200 }` (spread over its steps). */
  nodeDurationMs?: Record<string, number>;
  /** Pretend to sit behind a reverse proxy under this prefix, e.g. `/comfy`. */
  basePath?: string;
  /** Faults active from the start. */
  faults?: Partial<EmulatorFaults>;
  /** Receives one line per notable event; default silent. */
  logger?: (msg: string) => void;
  /** Request body limit in bytes (ComfyUI `--max-upload-size`); default 100 MiB. */
  maxUploadBytes?: number;
  /** History cap (ComfyUI keeps 10000, +1). */
  historyLimit?: number;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  checkpoints: string[];
  brokenCheckpoints: string[] | undefined;
  embeddings: string[];
  promptDurationMs: number;
  nodeDurationMs: Record<string, number>;
  basePath: string;
  maxUploadBytes: number;
  historyLimit: number;
  log: (msg: string) => void;
}

/** `/comfy/` → `/comfy`, `` or `/` → ``. */
export function normalizeBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    checkpoints: [...(options.checkpoints ?? DEFAULT_CHECKPOINTS)],
    brokenCheckpoints: options.brokenCheckpoints ? [...options.brokenCheckpoints] : undefined,
    embeddings: [...(options.embeddings ?? [])],
    promptDurationMs: options.promptDurationMs ?? 0,
    nodeDurationMs: { ...(options.nodeDurationMs ?? {}) },
    basePath: normalizeBasePath(options.basePath),
    maxUploadBytes: options.maxUploadBytes ?? 100 * 1024 * 1024,
    historyLimit: options.historyLimit ?? 10000,
    log: options.logger ?? (() => undefined),
  };
}
