/** Where the client logs. A winston logger or `console` fits. Headers and bodies are never logged. */
export interface ComfyUiClientLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** Backoff for HTTP retries: delay = min(maxDelayMs, baseDelayMs * 2^(attempt-1)), with jitter. */
interface ComfyUiRetryOptions {
  /** Extra attempts after the first for transient failures of safe calls. Default 3; 0 disables. */
  retries?: number;
  /** Default 250 ms. */
  baseDelayMs?: number;
  /** Cap on one delay. Default 5000 ms. */
  maxDelayMs?: number;
}

/** Backoff for WebSocket reconnects (unlimited attempts until `close()`). */
interface ComfyUiReconnectOptions {
  /** Default 500 ms. */
  baseDelayMs?: number;
  /** Cap on one delay. Default 30000 ms. */
  maxDelayMs?: number;
}

/** Options of {@link ComfyUiClient}. Only `baseUrl` is required; the client never reads `process.env`. */
export interface ComfyUiClientOptions {
  /**
   * Server root, e.g. `http://127.0.0.1:8188` or, behind a proxy, `https://host/comfy`
   * (requests go to `https://host/comfy/prompt`, the socket to `wss://host/comfy/ws`).
   * `user:pass@` in the URL becomes a Basic `Authorization` header.
   */
  baseUrl: string;
  /** Stable id for this client's socket and prompts. Default: a random UUID per client. */
  clientId?: string;
  /** Sent on every request and on the WebSocket upgrade (e.g. `Authorization`). Never logged. */
  headers?: Record<string, string>;
  /** Per request: time to response headers, and longest silence while reading a body. Default 30000 ms. */
  requestTimeoutMs?: number;
  retry?: ComfyUiRetryOptions;
  reconnect?: ComfyUiReconnectOptions;
  /** Whole response, body included (a trickling server cannot hold a request forever). Default 300000 ms. */
  responseDeadlineMs?: number;
  /** Largest JSON body accepted. Default 32 MiB. */
  maxJsonBytes?: number;
  /** Largest full `/object_info` accepted (hundreds of custom nodes make it big). Default 128 MiB. */
  maxObjectInfoBytes?: number;
  /** Largest `/view` download accepted. Default 256 MiB. */
  maxDownloadBytes?: number;
  logger?: ComfyUiClientLogger;
}

/** Options with defaults applied. */
export interface ResolvedClientOptions {
  headers: Record<string, string>;
  requestTimeoutMs: number;
  responseDeadlineMs: number;
  retry: Required<ComfyUiRetryOptions>;
  reconnect: Required<ComfyUiReconnectOptions>;
  maxJsonBytes: number;
  maxObjectInfoBytes: number;
  maxDownloadBytes: number;
  logger: ComfyUiClientLogger;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_RESPONSE_DEADLINE_MS = 300_000;
const DEFAULT_MAX_JSON_BYTES = 32 * 1024 * 1024;
const DEFAULT_MAX_OBJECT_INFO_BYTES = 128 * 1024 * 1024;
const DEFAULT_MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;

const silentLogger: ComfyUiClientLogger = { debug: () => undefined, warn: () => undefined };

export function resolveClientOptions(options: ComfyUiClientOptions, extraHeaders: Record<string, string>): ResolvedClientOptions {
  return {
    headers: { ...extraHeaders, ...options.headers },
    requestTimeoutMs: positive(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs'),
    responseDeadlineMs: positive(options.responseDeadlineMs, DEFAULT_RESPONSE_DEADLINE_MS, 'responseDeadlineMs'),
    retry: {
      retries: nonNegativeInt(options.retry?.retries, 3, 'retry.retries'),
      baseDelayMs: nonNegative(options.retry?.baseDelayMs, 250, 'retry.baseDelayMs'),
      maxDelayMs: nonNegative(options.retry?.maxDelayMs, 5_000, 'retry.maxDelayMs'),
    },
    reconnect: {
      baseDelayMs: nonNegative(options.reconnect?.baseDelayMs, 500, 'reconnect.baseDelayMs'),
      maxDelayMs: nonNegative(options.reconnect?.maxDelayMs, 30_000, 'reconnect.maxDelayMs'),
    },
    maxJsonBytes: positive(options.maxJsonBytes, DEFAULT_MAX_JSON_BYTES, 'maxJsonBytes'),
    maxObjectInfoBytes: positive(options.maxObjectInfoBytes, DEFAULT_MAX_OBJECT_INFO_BYTES, 'maxObjectInfoBytes'),
    maxDownloadBytes: positive(options.maxDownloadBytes, DEFAULT_MAX_DOWNLOAD_BYTES, 'maxDownloadBytes'),
    logger: options.logger ?? silentLogger,
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`ComfyUiClient option ${name} must be a positive number, got ${value}`);
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`ComfyUiClient option ${name} must be >= 0, got ${value}`);
  return value;
}

function nonNegativeInt(value: number | undefined, fallback: number, name: string): number {
  const result = nonNegative(value, fallback, name);
  if (!Number.isInteger(result)) throw new RangeError(`ComfyUiClient option ${name} must be an integer, got ${value}`);
  return result;
}
