import * as path from 'node:path';
import type { KilnSettings } from './kiln-settings';

/** The settings as the code uses them: durations in the unit of their consumer, paths absolute. */
export interface Settings {
  /** ComfyUI base URLs (no trailing slash); several make a pool. */
  servers: string[];
  pollIntervalMs: number;
  submitIntervalMs: number;
  /** Seconds a job may take on its server when its step sets no timeout. */
  defaultTimeoutSeconds: number;
  /** Attempts after the first for transient failures. */
  maxRetries: number;
  /** Prompts kept queued per server. */
  maxInFlightPerServer: number;
  /** Extra headers for every ComfyUI request (from `COMFYUI_AUTH_HEADER`); never logged. */
  comfyUiHeaders: Record<string, string>;
  /** PostgreSQL URL, or undefined for the embedded database in `dataDir`. */
  databaseUrl?: string;
  /** Absolute folder of the embedded database. */
  dataDir: string;
  /** Most images one job file may ask for (`KILN_MAX_IMAGES`). */
  maxImages: number;
  /** Where the gallery listens (`port` 0: the worker serves none); `token` guards it, never logged. */
  gallery: { host: string; port: number; token?: string };
}

/** Converts validated settings once: seconds to the milliseconds the loops use, the header line to a header. */
export function resolveSettings(values: KilnSettings, cwd: string, dataDirBase = cwd): Settings {
  return {
    servers: values.servers.map((url) => url.replace(/\/+$/, '')),
    pollIntervalMs: values.pollIntervalSeconds * 1000,
    submitIntervalMs: values.submitIntervalSeconds * 1000,
    defaultTimeoutSeconds: values.timeoutSeconds,
    maxRetries: values.maxRetries,
    maxInFlightPerServer: values.maxInFlightPerServer,
    comfyUiHeaders: headerOf(values.authHeader),
    databaseUrl: values.databaseUrl,
    dataDir: path.resolve(dataDirBase, values.dataDir),
    maxImages: values.maxImages,
    gallery: { host: values.galleryHost, port: values.galleryPort, token: values.galleryToken },
  };
}

/** `Authorization: Bearer x` → `{ Authorization: 'Bearer x' }`. */
function headerOf(line: string | undefined): Record<string, string> {
  if (!line) return {};
  const colon = line.indexOf(':');
  return { [line.slice(0, colon).trim()]: line.slice(colon + 1).trim() };
}
