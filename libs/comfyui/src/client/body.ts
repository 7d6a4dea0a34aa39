import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { ComfyUiError } from '../errors';

/** Identifies the request whose body is being read, for error messages. */
export interface BodyContext {
  method: string;
  url: string;
  /** Longest silence tolerated between two chunks. */
  idleTimeoutMs: number;
  /** Aborts the underlying fetch (and so the body stream). */
  abort: () => void;
  /** Why the request was aborted from outside (`'stopped'`, or a deadline sentence), if it was. */
  stopReason: () => string | undefined;
  /** Releases the request's deadline timer once the body is read. */
  done: () => void;
}

/** Reads the whole body into memory, refusing more than `maxBytes`. */
export async function readBodyLimited(res: Response, maxBytes: number, ctx: BodyContext, what = 'body', option = 'maxJsonBytes'): Promise<Buffer> {
  rejectDeclaredOversize(res, maxBytes, ctx, what, option);
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const idle = new IdleTimer(ctx);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      idle.arm();
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(ctx, maxBytes, what, option);
      }
      chunks.push(value);
    }
  } catch (error) {
    throw idle.translate(error);
  } finally {
    idle.disarm();
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total);
}

/**
 * Streams the body into `filePath` (created or truncated), refusing more than `maxBytes`; the
 * partial file is removed on failure. Returns the byte count.
 */
export async function streamBodyToFile(res: Response, filePath: string, maxBytes: number, ctx: BodyContext): Promise<number> {
  rejectDeclaredOversize(res, maxBytes, ctx, 'download', 'maxDownloadBytes');
  const idle = new IdleTimer(ctx);
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      idle.arm();
      total += chunk.length;
      if (total > maxBytes) callback(tooLarge(ctx, maxBytes, 'download', 'maxDownloadBytes'));
      else callback(null, chunk);
    },
  });
  const source = res.body ? Readable.fromWeb(res.body as unknown as NodeWebReadableStream<Uint8Array>) : Readable.from([]);
  const sink = createWriteStream(filePath);
  let localError: unknown;
  sink.once('error', (error) => (localError = error));
  idle.arm();
  try {
    await pipeline(source, counter, sink);
  } catch (error) {
    // The sink may still be opening (creating the file) when the source fails: unlink only once it closed.
    if (!sink.closed) await once(sink, 'close').catch(() => undefined);
    await unlink(filePath).catch(() => undefined);
    // A local disk problem is the caller's, not ComfyUI's: pass it through untouched.
    if (localError !== undefined && error === localError) throw error;
    throw idle.translate(error);
  } finally {
    idle.disarm();
  }
  return total;
}

/** Reads at most `maxChars` of text for an error message, then drops the rest. */
export async function readExcerpt(res: Response, maxChars: number, ctx: BodyContext): Promise<string> {
  try {
    const bytes = await readBodyLimited(res, maxChars * 4, ctx, 'error body');
    return bytes.toString('utf8').slice(0, maxChars);
  } catch {
    await res.body?.cancel().catch(() => undefined);
    return '';
  }
}

function rejectDeclaredOversize(res: Response, maxBytes: number, ctx: BodyContext, what: string, option: string): void {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    void res.body?.cancel().catch(() => undefined);
    throw tooLarge(ctx, maxBytes, what, option, declared);
  }
}

function tooLarge(ctx: BodyContext, maxBytes: number, what: string, option: string, declared?: number): ComfyUiError {
  const size = declared === undefined ? 'more than' : `${declared} bytes, over`;
  return new ComfyUiError('COMFYUI_BAD_RESPONSE', `ComfyUI's ${what} for ${ctx.method} ${ctx.url} is ${size} the limit of ${maxBytes} bytes (client option ${option}); raise it if this is expected`, {
    method: ctx.method,
    url: ctx.url,
  });
}

/** Aborts the request when no chunk arrives for `idleTimeoutMs`. */
class IdleTimer {
  private timer: NodeJS.Timeout | undefined;
  private fired = false;

  constructor(private readonly ctx: BodyContext) {}

  arm(): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.fired = true;
      this.ctx.abort();
    }, this.ctx.idleTimeoutMs);
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  translate(error: unknown): unknown {
    if (error instanceof ComfyUiError) return error;
    const stop = this.ctx.stopReason();
    if (stop === 'stopped') {
      return new ComfyUiError('COMFYUI_STOPPED', `${this.ctx.method} ${this.ctx.url} was stopped before it finished`, { method: this.ctx.method, url: this.ctx.url, cause: error });
    }
    if (stop) {
      return new ComfyUiError('COMFYUI_TIMEOUT', `ComfyUI's answer to ${this.ctx.method} ${this.ctx.url} ${stop}`, { method: this.ctx.method, url: this.ctx.url, cause: error });
    }
    if (this.fired) {
      return new ComfyUiError('COMFYUI_TIMEOUT', `ComfyUI stopped sending the body of ${this.ctx.method} ${this.ctx.url} for ${this.ctx.idleTimeoutMs} ms`, {
        method: this.ctx.method,
        url: this.ctx.url,
        cause: error,
      });
    }
    return new ComfyUiError('COMFYUI_UNREACHABLE', `The connection to ComfyUI broke while reading ${this.ctx.method} ${this.ctx.url}: ${errorText(error)}`, {
      method: this.ctx.method,
      url: this.ctx.url,
      cause: error,
    });
  }
}

export function errorText(error: unknown): string {
  // Duck-typed: fetch errors come from another realm under test runners, defeating `instanceof Error`.
  const message = messageOf(error);
  const cause = messageOf((error as { cause?: unknown } | null)?.cause);
  if (message && cause) return `${message}: ${cause}`;
  return message ?? String(error);
}

function messageOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('message' in value)) return undefined;
  return typeof value.message === 'string' && value.message !== '' ? value.message : undefined;
}
