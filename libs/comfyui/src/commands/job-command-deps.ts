import type { DataSource } from 'typeorm';
import type { Logger } from 'winston';
import type { ComfyUiClient } from '../client/comfyui-client';
import type { WriteFile } from '../files/write-file-atomically';
import type { JobEngineEvent, JobFilesWritten } from '../engine/job-engine-events';
import type { EngineMetrics } from '../engine/engine-metrics';
import type { SocketImagesResult } from '../engine/socket-images';
import type { UploadOnce } from './upload-once';

/** How hard to try before a job is failed for good. */
export interface RetryPolicy {
  /** Attempts after the first one (COMFYUI_MAX_RETRIES). */
  maxRetries: number;
  /** First backoff; doubled per attempt, with jitter, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** What the job commands need from the outside world; the engine (or a test) provides it. */
export interface JobCommandDeps {
  dataSource: DataSource;
  /** The client of one server of the pool, by base URL. */
  clientFor(server: string): ComfyUiClient;
  logger: Logger;
  retry: RetryPolicy;
  /** This process, for leases. */
  workerId: string;
  leaseMs: number;
  emit?: (event: JobEngineEvent) => void;
  metrics?: EngineMetrics;
  random?: () => number;
  /** Writes images and sidecars; default writeFileAtomically (tests inject a disk that fails). */
  writeFile?: WriteFile;
  /** Runs once a job's files are on disk, before it counts as done; a failure undoes the files (see JobEngineOptions). */
  onFilesWritten?: (written: JobFilesWritten) => void | Promise<void>;
  /** Aborted when the engine stops: long waits (downloads) end at once. */
  signal?: AbortSignal;
  /**
   * The server refused a value it offered before (`value_not_in_list`, a missing node class): its
   * catalogue is stale. The engine re-reads it and routes the job to a capable server.
   */
  catalogueStale?: (server: string) => void;
  /** Input files already on each server (absent: every job uploads its files). */
  uploads?: UploadOnce;
  /** The images `SaveImageWebsocket` outputs sent over the socket; absent when nobody listens. */
  socketImages?: { take(promptId: string, timeoutMs: number): Promise<SocketImagesResult> };
}
