import type { EmulatorFaults } from './faults/emulator-faults';
import { DEFAULT_MODELS } from './models/model-folders';

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
  /** Names served by /models/checkpoints and offered by the checkpoint loaders (wins over `models.checkpoints`). */
  checkpoints?: string[];
  /**
   * Files per model folder (`loras`, `vae`, `text_encoders` or `clip`, `diffusion_models` or `unet`,
   * `controlnet`, `upscale_models`, …), offered in /object_info and /models/<folder>.
   * Folders left out keep `DEFAULT_MODELS`.
   */
  models?: Record<string, string[]>;
  /** Synthetic PNGs written into the input dir at start (LoadImage choices besides `example.png`). */
  inputImages?: string[];
  /** Classes of ComfyUI's own `custom_nodes/` to load on top of the captured catalogue, e.g. `['SaveImageWebsocket']`. */
  customNodes?: string[];
  /**
   * Checkpoints that fail at load time like the captured `ckpt_runtime_error` run.
   * Default: every checkpoint whose name contains "broken".
   */
  brokenCheckpoints?: string[];
  /** Embedding names for /embeddings (files `<name>.safetensors`); default none. */
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
  /** Initial files per folder (defaults merged with `models` and `checkpoints`). */
  models: Record<string, string[]>;
  inputImages: string[];
  customNodes: string[];
  brokenCheckpoints: string[] | undefined;
  promptDurationMs: number;
  nodeDurationMs: Record<string, number>;
  basePath: string;
  maxUploadBytes: number;
  historyLimit: number;
  log: (msg: string) => void;
}

/** `/comfy/` → `/comfy`, `` or `/` → ``. */
function normalizeBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function initialModels(options: EmulatorOptions): Record<string, string[]> {
  const models: Record<string, string[]> = {};
  for (const [folder, files] of Object.entries(DEFAULT_MODELS)) models[folder] = [...files];
  Object.assign(models, options.models ?? {});
  if (options.checkpoints) models.checkpoints = [...options.checkpoints];
  if (!options.models?.embeddings) models.embeddings = (options.embeddings ?? []).map((name) => `${name}.safetensors`);
  return models;
}

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    models: initialModels(options),
    inputImages: [...(options.inputImages ?? [])],
    customNodes: [...(options.customNodes ?? [])],
    brokenCheckpoints: options.brokenCheckpoints ? [...options.brokenCheckpoints] : undefined,
    promptDurationMs: options.promptDurationMs ?? 0,
    nodeDurationMs: { ...(options.nodeDurationMs ?? {}) },
    basePath: normalizeBasePath(options.basePath),
    maxUploadBytes: options.maxUploadBytes ?? 100 * 1024 * 1024,
    historyLimit: options.historyLimit ?? 10000,
    log: options.logger ?? (() => undefined),
  };
}
