import type { NodeValidationError } from './client/types';

/**
 * What went wrong talking to ComfyUI.
 *
 * - `COMFYUI_UNREACHABLE`: no HTTP answer at all (connection refused or reset, DNS failure, TLS error).
 *   Nothing reached the server, or the connection broke before an answer. Retried for safe calls.
 * - `COMFYUI_TIMEOUT`: the server did not answer (or stopped sending the body) within `requestTimeoutMs`.
 *   Kept apart from `COMFYUI_UNREACHABLE` because the request may have been processed: after a
 *   timed-out `POST /prompt` the prompt may well be queued, so look it up by id before resubmitting.
 * - `COMFYUI_HTTP_ERROR`: a non-2xx status (other than a 400 on `/prompt`); carries `status` and a
 *   bounded `bodyExcerpt`. 5xx is retried for safe calls, 4xx never.
 * - `COMFYUI_WORKFLOW_REJECTED`: `POST /prompt` answered 400; `nodeErrors` and the message list the
 *   offending nodes and inputs. Never retried: fix the workflow.
 * - `COMFYUI_BAD_RESPONSE`: the server answered 2xx with something unusable: not JSON, the wrong
 *   shape, a body over the size limit, a hostile output path (`..`, absolute, backslash, NUL), or a
 *   redirect to another origin.
 * - `COMFYUI_STOPPED`: the caller stopped the request (shutdown, or a job's own deadline); never retried.
 */
export type ComfyUiErrorCode =
  | 'COMFYUI_UNREACHABLE'
  | 'COMFYUI_TIMEOUT'
  | 'COMFYUI_HTTP_ERROR'
  | 'COMFYUI_WORKFLOW_REJECTED'
  | 'COMFYUI_BAD_RESPONSE'
  | 'COMFYUI_STOPPED';

/** Details attached to a {@link ComfyUiError}; all optional except where a code implies them. */
export interface ComfyUiErrorDetails {
  /** The underlying error (network error, JSON syntax error, …). */
  cause?: unknown;
  /** HTTP method of the failed request. */
  method?: string;
  /** URL of the failed request (never contains credentials). */
  url?: string;
  /** HTTP status, for `COMFYUI_HTTP_ERROR` and `COMFYUI_WORKFLOW_REJECTED`. */
  status?: number;
  /** Start of the response body (at most a few hundred characters). */
  bodyExcerpt?: string;
  /** How many times the request was sent before giving up. */
  attempts?: number;
  /** ComfyUI's own error type for a rejected workflow, e.g. `prompt_outputs_failed_validation`. */
  comfyUiErrorType?: string;
  /** Per-node validation errors of a rejected workflow (may be empty, e.g. for `no_prompt`). */
  nodeErrors?: readonly NodeValidationError[];
}

/** The only error type thrown by the ComfyUI client. Switch on `code`. */
export class ComfyUiError extends Error {
  override readonly name = 'ComfyUiError';
  readonly code: ComfyUiErrorCode;
  readonly method?: string;
  readonly url?: string;
  readonly status?: number;
  readonly bodyExcerpt?: string;
  readonly attempts?: number;
  readonly comfyUiErrorType?: string;
  readonly nodeErrors: readonly NodeValidationError[];

  constructor(code: ComfyUiErrorCode, message: string, details: ComfyUiErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.bodyExcerpt = details.bodyExcerpt;
    this.attempts = details.attempts;
    this.comfyUiErrorType = details.comfyUiErrorType;
    this.nodeErrors = details.nodeErrors ?? [];
  }

  /** True for failures worth retrying: unreachable, timeout, 5xx. */
  get transient(): boolean {
    if (this.code === 'COMFYUI_UNREACHABLE' || this.code === 'COMFYUI_TIMEOUT') return true;
    return this.code === 'COMFYUI_HTTP_ERROR' && this.status !== undefined && this.status >= 500;
  }
}
