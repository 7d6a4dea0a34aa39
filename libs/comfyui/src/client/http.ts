import ky, { TimeoutError, type KyInstance } from 'ky';
import { retry } from 'ts-retry-promise';
import { ComfyUiError } from '../errors';
import { backoffDelay } from './backoff';
import { errorText, readBodyLimited, readExcerpt, streamBodyToFile, type BodyContext } from './body';
import { redactText, secretsOfHeaders } from '@kiln/settings';
import { finalizeFailure } from './failures';
import type { ResolvedClientOptions } from './options';
import { authNeededMessage } from './auth-hint';
import { redactAnswer } from './redact-answer';
import { nextRedirect } from './redirects';
import { httpUrl, type ComfyUiBaseUrl } from './urls';
import { ShapeError } from './validate';

const EXCERPT_CHARS = 500;

/** One HTTP call to ComfyUI. */
export interface RequestSpec {
  method: 'GET' | 'POST';
  /** Relative to the base URL, no leading slash, e.g. `history/abc`. */
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  /** Multipart body, built afresh for every attempt (a FormData body is consumed by a send). */
  form?: () => FormData;
  /** Safe to send again after a transient failure (see the retry policy in the README of the client). */
  retry: boolean;
  /** Turns a non-2xx answer into a specific error (e.g. a 400 on `/prompt`); `undefined` → generic `COMFYUI_HTTP_ERROR`. */
  onErrorStatus?: (status: number, body: string, ctx: { method: string; url: string }) => ComfyUiError | undefined;
  /** Largest body accepted and the option that sets it (named when exceeded); default `maxJsonBytes`. */
  limit?: { bytes: number; option: string };
  /** Stops the request at once (the engine's shutdown, or a job's deadline). */
  signal?: AbortSignal;
}

interface Attempt {
  res: Response;
  body: BodyContext;
}

/** ky-based transport: timeouts, size limits, typed errors and retries with backoff for safe calls. */
export class ComfyUiHttp {
  private readonly ky: KyInstance;
  private readonly secrets: string[];

  constructor(
    private readonly base: ComfyUiBaseUrl,
    private readonly options: ResolvedClientOptions,
    private readonly random: () => number = Math.random,
  ) {
    this.secrets = secretsOfHeaders(options.headers);
    this.ky = ky.create({
      headers: options.headers,
      timeout: options.requestTimeoutMs,
      retry: 0,
      throwHttpErrors: false,
    });
  }

  url(path: string, query?: Record<string, string>): string {
    return httpUrl(this.base, path, query);
  }

  /** A JSON answer, checked by `parse` (which throws `ShapeError` on a wrong shape). */
  requestJson<T>(spec: RequestSpec, parse: (value: unknown) => T): Promise<T> {
    return this.withRetry(spec, () => this.attemptJson(spec, parse));
  }

  /** One try of {@link requestJson}, for callers that run their own {@link withRetry} loop. */
  async attemptJson<T>(spec: RequestSpec, parse: (value: unknown) => T): Promise<T> {
    const { res, body } = await this.send(spec);
    try {
      const limit = spec.limit ?? { bytes: this.options.maxJsonBytes, option: 'maxJsonBytes' };
      const bytes = await readBodyLimited(res, limit.bytes, body, 'JSON body', limit.option);
      return this.parseJson(bytes, body, res, parse);
    } finally {
      body.done();
    }
  }

  /** An endpoint that answers a bare 200 with an empty body: the body is discarded, never parsed. */
  requestEmpty(spec: RequestSpec): Promise<void> {
    return this.withRetry(spec, async () => {
      const { res, body } = await this.send(spec);
      body.done();
      await res.body?.cancel().catch(() => undefined);
    });
  }

  /** The raw body, up to `maxDownloadBytes`. */
  requestBytes(spec: RequestSpec): Promise<Buffer> {
    return this.withRetry(spec, async () => {
      const { res, body } = await this.send(spec);
      try {
        return await readBodyLimited(res, this.options.maxDownloadBytes, body, 'download', 'maxDownloadBytes');
      } finally {
        body.done();
      }
    });
  }

  /** Streams the body into `filePath` (truncated per attempt, removed on failure), up to `maxDownloadBytes`. */
  requestToFile(spec: RequestSpec, filePath: string): Promise<number> {
    return this.withRetry(spec, async () => {
      const { res, body } = await this.send(spec);
      try {
        return await streamBodyToFile(res, filePath, this.options.maxDownloadBytes, body);
      } finally {
        body.done();
      }
    });
  }

  private async send(spec: RequestSpec): Promise<Attempt> {
    let url = this.url(spec.path, spec.query);
    if (spec.signal?.aborted) throw this.stopped(spec.method, url);
    const controller = new AbortController();
    const onStop = (): void => controller.abort();
    spec.signal?.addEventListener('abort', onStop, { once: true });
    // The whole response, body included, has a deadline: a server trickling a byte at a time within
    // the idle timeout must not hold a request forever.
    let deadlineHit = false;
    const deadline = setTimeout(() => {
      deadlineHit = true;
      controller.abort();
    }, this.options.responseDeadlineMs);
    const done = (): void => {
      clearTimeout(deadline);
      spec.signal?.removeEventListener('abort', onStop);
    };
    const body: BodyContext = {
      method: spec.method,
      url,
      idleTimeoutMs: this.options.requestTimeoutMs,
      abort: () => controller.abort(),
      stopReason: () => (spec.signal?.aborted ? 'stopped' : deadlineHit ? `took longer than the response deadline of ${this.options.responseDeadlineMs} ms (responseDeadlineMs)` : undefined),
      done,
    };
    const started = Date.now();
    try {
      for (let redirects = 0; ; redirects++) {
        let res: Response;
        try {
          // Redirects are followed here, not by fetch: only on the same origin, and never many.
          res = await this.ky(url, { method: spec.method, json: spec.json, body: spec.form?.(), signal: controller.signal, redirect: 'manual' });
        } catch (error) {
          throw this.transportError(error, spec.method, url, body);
        }
        this.options.logger.debug('comfyui http', { method: spec.method, url, status: res.status, ms: Date.now() - started });
        const next = nextRedirect(res, spec.method, url, redirects);
        if (next) {
          await res.body?.cancel().catch(() => undefined);
          url = next;
          body.url = url;
          continue;
        }
        if (!res.ok) throw await this.statusError(spec, res, body);
        return { res, body };
      }
    } catch (error) {
      done();
      throw error;
    }
  }

  private stopped(method: string, url: string): ComfyUiError {
    return new ComfyUiError('COMFYUI_STOPPED', `${method} ${url} was stopped before it finished`, { method, url });
  }

  private async statusError(spec: RequestSpec, res: Response, body: BodyContext): Promise<ComfyUiError> {
    const ctx = { method: spec.method, url: body.url };
    const text = spec.onErrorStatus
      ? (await readBodyLimited(res, this.options.maxJsonBytes, body, 'error body').catch(() => Buffer.alloc(0))).toString('utf8')
      : await readExcerpt(res, EXCERPT_CHARS, body);
    const specific = spec.onErrorStatus?.(res.status, this.redact(text), ctx);
    if (specific) return specific;
    const excerpt = this.redact(text.slice(0, EXCERPT_CHARS).trim());
    const statusText = res.statusText ? ` ${res.statusText}` : '';
    const hint = res.status === 401 || res.status === 403 ? ` ${authNeededMessage(this.options.headers)}` : '';
    return new ComfyUiError('COMFYUI_HTTP_ERROR', `ComfyUI answered ${spec.method} ${body.url} with HTTP ${res.status}${statusText}: ${excerpt || '(empty body)'}${hint}`, {
      ...ctx,
      status: res.status,
      bodyExcerpt: excerpt,
    });
  }

  private transportError(error: unknown, method: string, url: string, body: BodyContext): ComfyUiError {
    if (error instanceof ComfyUiError) return error;
    const stop = body.stopReason();
    if (stop === 'stopped') return this.stopped(method, url);
    if (stop) return new ComfyUiError('COMFYUI_TIMEOUT', `ComfyUI's answer to ${method} ${url} ${stop}`, { method, url, cause: error });
    if (error instanceof TimeoutError) {
      return new ComfyUiError('COMFYUI_TIMEOUT', `ComfyUI did not answer ${method} ${url} within ${this.options.requestTimeoutMs} ms`, { method, url, cause: error });
    }
    // fetch reports every transport problem (refused, reset, DNS, TLS) as a rejection; the cause says which.
    return new ComfyUiError('COMFYUI_UNREACHABLE', `Cannot reach ComfyUI at ${url} (${this.redact(errorText(error))})`, { method, url, cause: error });
  }

  private parseJson<T>(bytes: Buffer, body: BodyContext, res: Response, parse: (value: unknown) => T): T {
    const ctx = { method: body.method, url: body.url };
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      const type = res.headers.get('content-type') ?? 'no content type';
      const excerpt = this.redact(bytes.toString('utf8', 0, EXCERPT_CHARS).trim());
      return this.fail(`ComfyUI answered ${body.method} ${body.url} with a body that is not JSON (${type}): ${excerpt || '(empty body)'}`, ctx, error, excerpt);
    }
    try {
      return parse(redactAnswer(value, this.secrets));
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      return this.fail(`ComfyUI sent an unexpected answer to ${body.method} ${body.url}: ${error.message}`, ctx, error);
    }
  }

  private fail(message: string, ctx: { method: string; url: string }, cause: unknown, bodyExcerpt?: string): never {
    throw new ComfyUiError('COMFYUI_BAD_RESPONSE', message, { ...ctx, cause, bodyExcerpt });
  }

  private redact(text: string): string {
    return redactText(text, this.secrets);
  }

  /**
   * Runs `attempt`, repeating it after transient failures (unreachable, timeout, 5xx) when the
   * call is safe to repeat. 4xx and bad responses are never retried.
   */
  async withRetry<T>(spec: Pick<RequestSpec, 'method' | 'path' | 'retry'>, attempt: (n: number) => Promise<T>): Promise<T> {
    const { retries, baseDelayMs, maxDelayMs } = this.options.retry;
    const maxRetries = spec.retry ? retries : 0;
    let attempts = 0;
    try {
      return await retry(
        async () => {
          attempts += 1;
          try {
            return await attempt(attempts);
          } catch (error) {
            if (error instanceof ComfyUiError && error.transient && attempts <= maxRetries) {
              this.options.logger.warn('comfyui request failed, retrying', {
                method: spec.method,
                path: spec.path,
                attempt: attempts,
                of: maxRetries + 1,
                code: error.code,
                status: error.status,
              });
            }
            throw error;
          }
        },
        {
          retries: maxRetries,
          delay: baseDelayMs,
          // ts-retry-promise also waits after the last failure; make that wait zero.
          backoff: (n) => (n > maxRetries ? 0 : backoffDelay(n, baseDelayMs, maxDelayMs, this.random)),
          maxBackOff: maxDelayMs,
          timeout: 'INFINITELY',
          retryIf: (error) => error instanceof ComfyUiError && error.transient,
        },
      );
    } catch (error) {
      throw finalizeFailure(unwrapRetryError(error), attempts);
    }
  }
}

/** ts-retry-promise wraps the last error in a `RetryError`, whose ES5 subclassing defeats `instanceof`. */
function unwrapRetryError(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && 'lastError' in error && error.lastError !== undefined) return error.lastError;
  return error;
}
