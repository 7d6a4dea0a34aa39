import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import { createLogger, transports, type Logger } from 'winston';
import type { ComfyUiClientOptions } from '../client/options';
import type { RetryPolicy } from '../commands/job-command-deps';
import type { WriteFile } from '../files/write-file-atomically';
import type { ServerCatalogues } from '../preflight/server-catalogues';
import { EngineMetrics } from './engine-metrics';
import type { JobEngineEvent, JobFilesWritten } from './job-engine-events';

/** Input options of the job engine; every duration in milliseconds, defaults in {@link engineDefaults}. */
export interface JobEngineOptions {
  dataSource: DataSource;
  /** ComfyUI base URLs; several make a pool. */
  servers: string[];
  /** Client settings shared by every server (headers, request timeout, retries…). */
  client?: Omit<ComfyUiClientOptions, 'baseUrl'>;
  /** Prompts kept queued per server. */
  maxInFlightPerServer?: number;
  /** Safety-net poll of in-flight jobs (COMFYUI_POLL_INTERVAL). */
  pollIntervalMs?: number;
  /** Idle submit tick (COMFYUI_SUBMIT_INTERVAL). A finished job triggers one at once. */
  submitIntervalMs?: number;
  /** Seconds a job may take on its server when its step sets no timeout (COMFYUI_TIMEOUT; its default is the settings'). */
  defaultTimeoutSeconds: number;
  /** Attempts after the first (COMFYUI_MAX_RETRIES). */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Follow jobs through ComfyUI's WebSocket events; polling stays as the safety net. */
  useEvents?: boolean;
  /** Work on this run only (the CLI); default: every active run (the worker). */
  runId?: string;
  /** Work on runs of this kind only: the worker takes `pipeline` runs, batches belong to the CLI driving them. */
  runKind?: 'batch' | 'pipeline';
  /** This process's identity for leases (default host:pid:random). */
  workerId?: string;
  /** How long a claimed job stays reserved for this worker. */
  leaseMs?: number;
  /**
   * This engine is the only one on the database (the embedded one, which a lock file keeps to one
   * process): leases left by a killed process are released at start instead of waiting them out.
   */
  exclusive?: boolean;
  logger?: Logger;
  metrics?: EngineMetrics;
  /** How images and sidecars reach the disk (tests inject a disk that fails on demand). */
  writeFile?: WriteFile;
  onEvent?: (event: JobEngineEvent) => void;
  /**
   * Runs once a job's files are on disk, before the job counts as done: the CLI records them in its
   * manifest there. When it throws, the files the attempt wrote are removed and the error is handled
   * as a failed write (a full disk or a permission problem is retried later), so what is on disk and
   * what the caller recorded never differ.
   */
  onFilesWritten?: (written: JobFilesWritten) => void | Promise<void>;
  /**
   * The servers' `/object_info` cache, when the caller already read it for its preflight (the CLI):
   * one read per server per run, and a reconnect refreshes it for both. Default: the engine's own.
   */
  catalogues?: ServerCatalogues;
}

/** {@link JobEngineOptions} with every default filled in, resolved once by {@link resolveEngineOptions}. */
export interface ResolvedEngineOptions {
  dataSource: DataSource;
  servers: string[];
  client: Omit<ComfyUiClientOptions, 'baseUrl'>;
  maxInFlightPerServer: number;
  pollIntervalMs: number;
  submitIntervalMs: number;
  defaultTimeoutSeconds: number;
  retry: RetryPolicy;
  useEvents: boolean;
  runId: string | undefined;
  runKind: 'batch' | 'pipeline' | undefined;
  workerId: string;
  leaseMs: number;
  exclusive: boolean;
  logger: Logger;
  metrics: EngineMetrics;
  writeFile?: WriteFile;
  onEvent: ((event: JobEngineEvent) => void) | undefined;
  onFilesWritten: JobEngineOptions['onFilesWritten'];
  catalogues: ServerCatalogues | undefined;
}

/**
 * The defaults of {@link JobEngineOptions}, stated once.
 * @internal exported for its spec
 */
export const engineDefaults = {
  /** One prompt running and one waiting, so the GPU never idles. */
  maxInFlightPerServer: 2,
  pollIntervalMs: 5000,
  submitIntervalMs: 10_000,
  maxRetries: 3,
  retryBaseDelayMs: 2000,
  retryMaxDelayMs: 60_000,
  useEvents: true,
  leaseMs: 60_000,
  exclusive: false,
} as const;

export function resolveEngineOptions(options: JobEngineOptions): ResolvedEngineOptions {
  if (options.servers.length === 0) throw new Error('JobEngine needs at least one ComfyUI server');
  return {
    dataSource: options.dataSource,
    servers: options.servers,
    client: options.client ?? {},
    maxInFlightPerServer: options.maxInFlightPerServer ?? engineDefaults.maxInFlightPerServer,
    pollIntervalMs: options.pollIntervalMs ?? engineDefaults.pollIntervalMs,
    submitIntervalMs: options.submitIntervalMs ?? engineDefaults.submitIntervalMs,
    defaultTimeoutSeconds: options.defaultTimeoutSeconds,
    retry: {
      maxRetries: options.maxRetries ?? engineDefaults.maxRetries,
      baseDelayMs: options.retryBaseDelayMs ?? engineDefaults.retryBaseDelayMs,
      maxDelayMs: options.retryMaxDelayMs ?? engineDefaults.retryMaxDelayMs,
    },
    useEvents: options.useEvents ?? engineDefaults.useEvents,
    runId: options.runId,
    runKind: options.runKind,
    workerId: options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: options.leaseMs ?? engineDefaults.leaseMs,
    exclusive: options.exclusive ?? engineDefaults.exclusive,
    logger: options.logger ?? createLogger({ silent: true, transports: [new transports.Console()] }),
    metrics: options.metrics ?? new EngineMetrics(),
    writeFile: options.writeFile,
    onEvent: options.onEvent,
    onFilesWritten: options.onFilesWritten,
    catalogues: options.catalogues,
  };
}
