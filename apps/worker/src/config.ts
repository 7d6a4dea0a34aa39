import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { ArrayNotEmpty, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

const logLevels = ['error', 'warn', 'info', 'debug'] as const;

/** The worker's settings, read from the environment once at start and validated. */
export class WorkerConfig {
  /** COMFYUI_BASE_URL: one URL, or a comma-separated pool. */
  @ArrayNotEmpty()
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { each: true, message: 'each URL must look like http://host:port' })
  servers!: string[];

  /** COMFYUI_POLL_INTERVAL, seconds. */
  @Type(() => Number) @Min(0.05) @Max(3600) pollIntervalSeconds!: number;

  /** COMFYUI_SUBMIT_INTERVAL, seconds. */
  @Type(() => Number) @Min(0.05) @Max(3600) submitIntervalSeconds!: number;

  /** COMFYUI_TIMEOUT, seconds a job may take on the server (when its spec sets none). */
  @Type(() => Number) @Min(1) @Max(86_400) timeoutSeconds!: number;

  /** COMFYUI_MAX_RETRIES. */
  @Type(() => Number) @IsInt() @Min(0) @Max(100) maxRetries!: number;

  /** COMFYUI_MAX_IN_FLIGHT: prompts kept queued per server. */
  @Type(() => Number) @IsInt() @Min(1) @Max(64) maxInFlightPerServer!: number;

  /** COMFYUI_AUTH_HEADER, e.g. `Authorization: Bearer …`; never logged. */
  @IsOptional() @Matches(/^[A-Za-z0-9-]+:\s*\S.*$/, { message: 'must look like "Header-Name: value"' }) authHeader?: string;

  /** DATABASE_URL; unset → embedded database in `dataDir`. */
  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL (or unset for the embedded database)' }) databaseUrl?: string;

  /** KILN_DATA_DIR: folder of the embedded database. */
  @IsString() dataDir!: string;

  /** LOG_LEVEL. */
  @IsIn(logLevels) logLevel!: (typeof logLevels)[number];

  /** KILN_METRICS_PORT: /metrics and /healthz; 0 turns them off. */
  @Type(() => Number) @IsInt() @Min(0) @Max(65_535) metricsPort!: number;

  /** KILN_LEASE_SECONDS: how long a job claimed by this worker stays reserved if the worker dies. */
  @Type(() => Number) @Min(5) @Max(3600) leaseSeconds!: number;

  /** KILN_SHUTDOWN_TIMEOUT, seconds: after SIGTERM/SIGINT, the longest wait for work under way. */
  @Type(() => Number) @Min(1) @Max(3600) shutdownTimeoutSeconds!: number;
}

/** Env variable of each field, for error messages. */
const envNames: Record<keyof WorkerConfig, string> = {
  servers: 'COMFYUI_BASE_URL',
  pollIntervalSeconds: 'COMFYUI_POLL_INTERVAL',
  submitIntervalSeconds: 'COMFYUI_SUBMIT_INTERVAL',
  timeoutSeconds: 'COMFYUI_TIMEOUT',
  maxRetries: 'COMFYUI_MAX_RETRIES',
  maxInFlightPerServer: 'COMFYUI_MAX_IN_FLIGHT',
  authHeader: 'COMFYUI_AUTH_HEADER',
  databaseUrl: 'DATABASE_URL',
  dataDir: 'KILN_DATA_DIR',
  logLevel: 'LOG_LEVEL',
  metricsPort: 'KILN_METRICS_PORT',
  leaseSeconds: 'KILN_LEASE_SECONDS',
  shutdownTimeoutSeconds: 'KILN_SHUTDOWN_TIMEOUT',
};

const secretFields = new Set<keyof WorkerConfig>(['authHeader', 'databaseUrl']);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the worker's env; every bad value is named in one error. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  const raw = {
    servers: (env['COMFYUI_BASE_URL'] ?? 'http://localhost:8188').split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean),
    pollIntervalSeconds: env['COMFYUI_POLL_INTERVAL'] ?? '5',
    submitIntervalSeconds: env['COMFYUI_SUBMIT_INTERVAL'] ?? '10',
    timeoutSeconds: env['COMFYUI_TIMEOUT'] ?? '300',
    maxRetries: env['COMFYUI_MAX_RETRIES'] ?? '3',
    maxInFlightPerServer: env['COMFYUI_MAX_IN_FLIGHT'] ?? '2',
    authHeader: env['COMFYUI_AUTH_HEADER'] || undefined,
    databaseUrl: env['DATABASE_URL'] || undefined,
    dataDir: env['KILN_DATA_DIR'] ?? '.kiln/db',
    logLevel: env['LOG_LEVEL'] ?? 'info',
    metricsPort: env['KILN_METRICS_PORT'] ?? '9464',
    leaseSeconds: env['KILN_LEASE_SECONDS'] ?? '60',
    shutdownTimeoutSeconds: env['KILN_SHUTDOWN_TIMEOUT'] ?? '30',
  };
  const config = plainToInstance(WorkerConfig, raw);
  const errors = validateSync(config);
  if (errors.length) {
    const lines = errors.map((e) => {
      const field = e.property as keyof WorkerConfig;
      const shown = secretFields.has(field) ? '<hidden>' : JSON.stringify(raw[field]);
      return `${envNames[field]}=${shown}: ${Object.values(e.constraints ?? {}).join('; ')}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return config;
}

/** `Authorization: Bearer x` → `{ Authorization: 'Bearer x' }`. */
export function authHeaders(config: WorkerConfig): Record<string, string> {
  if (!config.authHeader) return {};
  const at = config.authHeader.indexOf(':');
  return { [config.authHeader.slice(0, at).trim()]: config.authHeader.slice(at + 1).trim() };
}

