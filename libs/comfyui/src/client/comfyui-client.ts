import { randomUUID } from 'node:crypto';
import type { ApiWorkflow } from '@kiln/job-orchestration';
import { ComfyUiError } from '../errors';
import { ComfyUiEventStream } from './event-stream';
import { ComfyUiHttp, type RequestSpec } from './http';
import { workflowRejectedError } from './node-errors';
import { resolveClientOptions, type ComfyUiClientOptions, type ResolvedClientOptions } from './options';
import { parseOutputRef } from './output-refs';
import { statusFromHistory, statusFromQueue } from './prompt-status';
import {
  parseCheckpointsFromObjectInfo,
  parseHistoryOf,
  parseNameList,
  parseObjectInfo,
  parseQueue,
  parseSubmitted,
  parseSystemStats,
  parseUploaded,
} from './responses';
import type { HistoryEntry, ObjectInfo, OutputRef, OutputType, PromptStatus, QueueState, SubmittedPrompt, SystemStats, UploadedImage } from './types';
import { parseBaseUrl, wsUrl, type ComfyUiBaseUrl } from './urls';

/** Options of {@link ComfyUiClient.submitPrompt}. */
export interface SubmitPromptOptions {
  /** Client-chosen prompt id (ComfyUI ≥ 2025-07 keeps it; newer servers require a lowercase UUID). */
  promptId?: string;
  /** Stored with the prompt, e.g. `{extra_pnginfo: {workflow}}`. `client_id` is set by the client. */
  extraData?: Record<string, unknown>;
  /** Queue in front of already pending prompts. */
  front?: boolean;
  /**
   * Retry transient failures (unreachable, timeout, 5xx). Off by default: a lost answer may hide an
   * accepted prompt. When on, the prompt is sent with a prompt id (`promptId`, or a UUID generated
   * here) and before each resend the client looks that id up in `/queue` and `/history`, so an
   * already accepted prompt is returned instead of being queued twice.
   */
  retry?: boolean;
}

/** Options of {@link ComfyUiClient.uploadImage}. */
export interface UploadImageOptions {
  /** Stored name; a bare file name. */
  filename: string;
  subfolder?: string;
  /** Replace a file of the same name. Without it ComfyUI keeps identical content and renames a clash to `name (1).ext`. */
  overwrite?: boolean;
  /** Default `input`. */
  type?: OutputType;
  /** Default `image/png`. */
  contentType?: string;
}

/** Options of {@link ComfyUiClient.openEvents}. */
export interface OpenEventsOptions {
  /** Client-side ping period to detect dead connections (ComfyUI sends no heartbeat). Default 30000 ms; 0 disables. */
  pingIntervalMs?: number;
}

/**
 * Typed client for one ComfyUI server (0.3.x; older and newer servers tolerated).
 *
 * Retry policy: GETs, `/interrupt`, queue and history deletes, and uploads with `overwrite` are
 * repeated after transient failures (unreachable, timeout, 5xx) with capped, jittered exponential
 * backoff. 4xx answers and bad responses are never retried. `POST /prompt` is retried only on
 * request ({@link SubmitPromptOptions.retry}), with a prompt id that makes a duplicate detectable.
 */
export class ComfyUiClient {
  /** The server root, with a trailing slash and without credentials. */
  readonly baseUrl: string;
  /** Sent as `client_id` with every prompt and as `clientId` on the socket. */
  readonly clientId: string;
  private readonly base: ComfyUiBaseUrl;
  private readonly options: ResolvedClientOptions;
  private readonly http: ComfyUiHttp;
  private events: ComfyUiEventStream | undefined;

  constructor(options: ComfyUiClientOptions) {
    this.base = parseBaseUrl(options.baseUrl);
    this.baseUrl = this.base.href;
    this.clientId = options.clientId ?? randomUUID();
    this.options = resolveClientOptions(options, this.base.basicAuth ? { Authorization: this.base.basicAuth } : {});
    this.http = new ComfyUiHttp(this.base, this.options);
  }

  /** Queues a workflow (`POST /prompt`). A 400 becomes `COMFYUI_WORKFLOW_REJECTED` with readable node errors. */
  async submitPrompt(workflow: ApiWorkflow, opts: SubmitPromptOptions = {}): Promise<SubmittedPrompt> {
    const promptId = opts.promptId ?? (opts.retry ? randomUUID() : undefined);
    const body: Record<string, unknown> = { prompt: workflow, client_id: this.clientId };
    if (promptId !== undefined) body['prompt_id'] = promptId;
    if (opts.extraData !== undefined) body['extra_data'] = opts.extraData;
    if (opts.front) body['front'] = true;
    const spec: RequestSpec = {
      method: 'POST',
      path: 'prompt',
      json: body,
      retry: opts.retry === true,
      onErrorStatus: (status, text, ctx) => (status === 400 ? workflowRejectedError(status, text, ctx) : undefined),
    };
    return this.http.withRetry(spec, async (attempt) => {
      if (attempt > 1 && promptId !== undefined) {
        const accepted = await this.findAccepted(promptId);
        if (accepted) return accepted;
      }
      return this.http.attemptJson(spec, parseSubmitted);
    });
  }

  /** `GET /queue`: the running prompt (at most one) and the pending ones in run order. */
  getQueue(): Promise<QueueState> {
    return this.http.requestJson({ method: 'GET', path: 'queue', retry: true }, parseQueue);
  }

  /** `GET /history/{id}`: the entry, or `undefined` while pending or running, or when unknown. */
  getHistory(promptId: string): Promise<HistoryEntry | undefined> {
    return this.http.requestJson({ method: 'GET', path: `history/${encodeURIComponent(promptId)}`, retry: true }, parseHistoryOf(promptId));
  }

  /**
   * Where a prompt is: `/queue` first, then `/history/{id}` (see {@link statusFromQueue} for why
   * that order). A hostile output path in history is a `COMFYUI_BAD_RESPONSE`.
   */
  async getPromptStatus(promptId: string): Promise<PromptStatus> {
    const queued = statusFromQueue(await this.getQueue(), promptId);
    if (queued) return queued;
    return this.http.requestJson({ method: 'GET', path: `history/${encodeURIComponent(promptId)}`, retry: true }, (value) =>
      statusFromHistory(parseHistoryOf(promptId)(value), promptId),
    );
  }

  /**
   * Where a prompt is that ComfyUI just reported done (`executing` with node null): `/history/{id}`
   * first, which answers in one request, and {@link getPromptStatus} only when history lacks it.
   */
  async getFinishedPromptStatus(promptId: string): Promise<PromptStatus> {
    const status = await this.http.requestJson({ method: 'GET', path: `history/${encodeURIComponent(promptId)}`, retry: true }, (value) =>
      statusFromHistory(parseHistoryOf(promptId)(value), promptId),
    );
    return status.state === 'unknown' ? this.getPromptStatus(promptId) : status;
  }

  /**
   * Downloads an output into memory (`/view`), up to `maxDownloadBytes`. `signal` stops it at once
   * (`COMFYUI_STOPPED`): a job's deadline, or shutdown.
   */
  async downloadOutput(ref: OutputRef, opts: { signal?: AbortSignal } = {}): Promise<Buffer> {
    return this.http.requestBytes({ ...this.viewSpec(ref), signal: opts.signal });
  }

  /**
   * Streams an output into `filePath` (created or truncated), up to `maxDownloadBytes`. The file is
   * removed on failure; writing to a temporary name and renaming is the caller's job.
   */
  async downloadOutputToFile(ref: OutputRef, filePath: string): Promise<{ bytes: number }> {
    return { bytes: await this.http.requestToFile(this.viewSpec(ref), filePath) };
  }

  /** `POST /upload/image`. Retried after transient failures only with `overwrite`, where a resend is harmless. */
  uploadImage(data: Buffer | Uint8Array, opts: UploadImageOptions): Promise<UploadedImage> {
    const overwrite = opts.overwrite === true;
    return this.http.requestJson(
      {
        method: 'POST',
        path: 'upload/image',
        retry: overwrite,
        form: () => {
          const form = new FormData();
          form.append('image', new Blob([new Uint8Array(data)], { type: opts.contentType ?? 'image/png' }), opts.filename);
          form.append('type', opts.type ?? 'input');
          form.append('subfolder', opts.subfolder ?? '');
          form.append('overwrite', overwrite ? 'true' : 'false');
          return form;
        },
      },
      parseUploaded,
    );
  }

  /** Checkpoint names: `/models/checkpoints`, or `/object_info/CheckpointLoaderSimple` where that route 404s. */
  async listCheckpoints(): Promise<string[]> {
    try {
      return await this.http.requestJson({ method: 'GET', path: 'models/checkpoints', retry: true }, parseNameList);
    } catch (error) {
      if (!(error instanceof ComfyUiError && error.code === 'COMFYUI_HTTP_ERROR' && error.status === 404)) throw error;
      this.options.logger.debug('comfyui: /models/checkpoints missing, reading object_info', {});
      return this.http.requestJson({ method: 'GET', path: 'object_info/CheckpointLoaderSimple', retry: true }, parseCheckpointsFromObjectInfo);
    }
  }

  /** `/object_info` (all nodes) or `/object_info/{class}` (`{}` for an unknown class). */
  getObjectInfo(nodeClass?: string): Promise<ObjectInfo> {
    const path = nodeClass === undefined ? 'object_info' : `object_info/${encodeURIComponent(nodeClass)}`;
    // The full list can be far bigger than any other answer: it has a limit of its own.
    const limit = nodeClass === undefined ? { bytes: this.options.maxObjectInfoBytes, option: 'maxObjectInfoBytes' } : undefined;
    return this.http.requestJson({ method: 'GET', path, retry: true, limit }, parseObjectInfo);
  }

  /** `GET /system_stats`. */
  getSystemStats(): Promise<SystemStats> {
    return this.http.requestJson({ method: 'GET', path: 'system_stats', retry: true }, parseSystemStats);
  }

  /** Interrupts the running prompt; with an id, only if that prompt is the one running (ComfyUI ≥ 2025-09). */
  interrupt(promptId?: string): Promise<void> {
    return this.http.requestEmpty({ method: 'POST', path: 'interrupt', json: promptId === undefined ? {} : { prompt_id: promptId }, retry: true });
  }

  /** Removes pending prompts (`POST /queue {delete}`); unknown ids and the running prompt are left alone. */
  async deleteFromQueue(promptIds: readonly string[]): Promise<void> {
    if (promptIds.length === 0) return;
    await this.http.requestEmpty({ method: 'POST', path: 'queue', json: { delete: promptIds }, retry: true });
  }

  /** Removes history entries (`POST /history {delete}`). */
  async deleteFromHistory(promptIds: readonly string[]): Promise<void> {
    if (promptIds.length === 0) return;
    await this.http.requestEmpty({ method: 'POST', path: 'history', json: { delete: promptIds }, retry: true });
  }

  /**
   * The event stream of this client's `clientId` (`/ws?clientId=…`). One socket per client: while
   * it is open, later calls return the same stream (a second socket would make the first go deaf).
   */
  openEvents(opts: OpenEventsOptions = {}): ComfyUiEventStream {
    if (this.events && !this.events.isClosed) return this.events;
    this.events = new ComfyUiEventStream({
      url: wsUrl(this.base, this.clientId),
      clientId: this.clientId,
      headers: this.options.headers,
      handshakeTimeoutMs: this.options.requestTimeoutMs,
      // A binary frame can be a SaveImageWebsocket output: as large as a /view download may be.
      maxPayloadBytes: Math.max(this.options.maxJsonBytes, this.options.maxDownloadBytes),
      reconnectBaseDelayMs: this.options.reconnect.baseDelayMs,
      reconnectMaxDelayMs: this.options.reconnect.maxDelayMs,
      pingIntervalMs: opts.pingIntervalMs ?? 30_000,
      logger: this.options.logger,
    });
    return this.events;
  }

  private viewSpec(ref: OutputRef): RequestSpec {
    // Refs normally come from history (already checked); check again so a hand-made one cannot climb out.
    let safe: OutputRef;
    try {
      safe = parseOutputRef(ref, 'ref');
    } catch (error) {
      throw new ComfyUiError('COMFYUI_BAD_RESPONSE', `Refusing to download ${JSON.stringify(ref)}: ${(error as Error).message}`, { cause: error });
    }
    return { method: 'GET', path: 'view', query: { filename: safe.filename, subfolder: safe.subfolder, type: safe.type }, retry: true };
  }

  /** The prompt as accepted by an earlier, seemingly failed send, if the server has it. */
  private async findAccepted(promptId: string): Promise<SubmittedPrompt | undefined> {
    const status = await this.getPromptStatus(promptId);
    if (status.state === 'queued' || status.state === 'running') return { promptId, number: status.number, nodeErrors: [] };
    if (status.state === 'unknown') return undefined;
    return { promptId, number: status.history.prompt[0], nodeErrors: [] };
  }
}
