import * as path from 'node:path';
import { CliError } from '../errors';

/** Where ComfyUI is: one or more servers, or the bundled emulator started in-process. */
export type ComfyUiTarget = { kind: 'servers'; urls: string[] } | { kind: 'emulator' };

/** Flags shared by commands that talk to ComfyUI. */
export interface ServerFlags {
  server?: string;
  emulator?: boolean;
}

/** Settings of one CLI invocation: flags > environment > defaults, checked once here. */
export interface CliConfig {
  comfy: ComfyUiTarget;
  /** Extra headers for every ComfyUI request (`COMFYUI_AUTH_HEADER="Authorization: Bearer …"`). */
  comfyUiHeaders: Record<string, string>;
  /** PostgreSQL URL, or undefined for the embedded database in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  pollIntervalMs: number;
  submitIntervalMs: number;
  maxRetries: number;
  /** `COMFYUI_TIMEOUT`: per-image timeout in seconds for items whose spec sets none. */
  defaultTimeoutSeconds?: number;
}

export const DEFAULT_COMFYUI_URL = 'http://localhost:8188';

/** Reads the environment and the server flags; every wrong value is named in one error. */
export function resolveCliConfig(flags: ServerFlags, env: NodeJS.ProcessEnv, cwd: string): CliConfig {
  const problems: string[] = [];
  const number = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) {
      problems.push(`${name}=${raw} must be a number ≥ ${min}`);
      return fallback;
    }
    return value;
  };
  const comfy = resolveComfyTarget(flags, env, problems);
  const config: CliConfig = {
    comfy,
    comfyUiHeaders: parseHeader(env['COMFYUI_AUTH_HEADER'], problems),
    databaseUrl: env['DATABASE_URL']?.trim() || undefined,
    dataDir: path.resolve(cwd, env['KILN_DATA_DIR']?.trim() || '.kiln/db'),
    pollIntervalMs: number('COMFYUI_POLL_INTERVAL', 5, 0.01) * 1000,
    submitIntervalMs: number('COMFYUI_SUBMIT_INTERVAL', 10, 0.01) * 1000,
    maxRetries: Math.floor(number('COMFYUI_MAX_RETRIES', 3, 0)),
    defaultTimeoutSeconds: env['COMFYUI_TIMEOUT'] ? number('COMFYUI_TIMEOUT', 300, 1) : undefined,
  };
  if (problems.length) {
    throw new CliError('INVALID_INPUT', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return config;
}

function resolveComfyTarget(flags: ServerFlags, env: NodeJS.ProcessEnv, problems: string[]): ComfyUiTarget {
  if (flags.emulator) {
    if (flags.server) problems.push('--server and --emulator exclude each other: pick one');
    return { kind: 'emulator' };
  }
  const source = flags.server ? '--server' : 'COMFYUI_BASE_URL';
  const raw = flags.server ?? env['COMFYUI_BASE_URL'] ?? DEFAULT_COMFYUI_URL;
  const urls = raw.split(',').map((url) => url.trim()).filter(Boolean);
  for (const url of urls) {
    if (!isHttpUrl(url)) problems.push(`${source}: '${url}' is not an http(s) URL (e.g. http://127.0.0.1:8188)`);
  }
  if (urls.length === 0) problems.push(`${source} is empty: give a URL such as http://127.0.0.1:8188`);
  return { kind: 'servers', urls };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function parseHeader(raw: string | undefined, problems: string[]): Record<string, string> {
  if (!raw?.trim()) return {};
  const colon = raw.indexOf(':');
  if (colon <= 0) {
    problems.push('COMFYUI_AUTH_HEADER must look like "Name: value" (e.g. "Authorization: Bearer …")');
    return {};
  }
  return { [raw.slice(0, colon).trim()]: raw.slice(colon + 1).trim() };
}

/** Servers as people should see them in messages (credentials removed). */
export function describeComfyTarget(target: ComfyUiTarget): string {
  if (target.kind === 'emulator') return 'the bundled emulator';
  return target.urls.map(redactUrl).join(', ');
}

export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.username || url.password) {
      url.username = '';
      url.password = '';
    }
    return url.href.replace(/\/$/, '');
  } catch {
    return value;
  }
}
