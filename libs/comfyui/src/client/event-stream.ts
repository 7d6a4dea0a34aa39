import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { secretsOfHeaders } from '@kiln/settings';
import { ComfyUiError } from '../errors';
import { backoffDelay } from './backoff';
import { parseBinaryFrame, type SocketImage } from './binary-frames';
import { errorText } from './body';
import {
  parseFrame,
  type ComfyUiEvent,
  type ExecutedEvent,
  type ExecutingEvent,
  type ExecutionCachedEvent,
  type ExecutionErrorEvent,
  type ExecutionInterruptedEvent,
  type ExecutionStartEvent,
  type ExecutionSuccessEvent,
  type ProgressEvent,
  type StatusEvent,
} from './events';
import type { ComfyUiClientLogger } from './options';
import { redactAnswer } from './redact-answer';

/**
 * Sent when the socket came back after a drop. The server may have restarted (queue and history lost).
 * @internal exported for its spec
 */
export interface ReconnectedInfo {
  /** Session id announced by the new connection (ComfyUI echoes the clientId). */
  sid: string | undefined;
  previousSid: string | undefined;
  /** True when the server announced a different sid than before: it did not keep our clientId. */
  sidChanged: boolean;
  /** Connection attempts it took to come back. */
  attempts: number;
  /** Time from the drop to the new session. */
  downtimeMs: number;
}

/** Event map of {@link ComfyUiEventStream}: one entry per ComfyUI message type, plus connection signals. */
export interface ComfyUiEventStreamEvents {
  status: [StatusEvent];
  execution_start: [ExecutionStartEvent];
  execution_cached: [ExecutionCachedEvent];
  executing: [ExecutingEvent];
  progress: [ProgressEvent];
  executed: [ExecutedEvent];
  execution_success: [ExecutionSuccessEvent];
  execution_error: [ExecutionErrorEvent];
  execution_interrupted: [ExecutionInterruptedEvent];
  /** An image sent as a binary frame (previews, `SaveImageWebsocket`), in order with the other messages. */
  image: [SocketImage];
  /** Every understood ComfyUI message, in order. */
  event: [ComfyUiEvent];
  /** The socket is open and the server announced the session (first `status` frame). */
  ready: [{ sid: string | undefined }];
  /** The connection dropped after a drop and came back: re-check your prompts. */
  reconnected: [ReconnectedInfo];
  /** The connection dropped; a reconnect is scheduled. */
  disconnected: [{ code: number; reason: string; retryInMs: number }];
  /** A connection attempt failed (only emitted when someone listens; the stream keeps retrying). */
  error: [ComfyUiError];
}

/** Internal options, built by {@link ComfyUiClient.openEvents}. */
export interface EventStreamOptions {
  url: string;
  clientId: string;
  headers: Record<string, string>;
  handshakeTimeoutMs: number;
  /** Largest frame accepted; a bigger one closes the socket (1009) and the stream reconnects. */
  maxPayloadBytes: number;
  reconnectBaseDelayMs: number;
  reconnectMaxDelayMs: number;
  /** Client pings; a missing pong by the next ping drops the connection. 0 disables. */
  pingIntervalMs: number;
  logger: ComfyUiClientLogger;
  random?: () => number;
}

/**
 * One WebSocket to ComfyUI for one clientId, reconnecting with capped, jittered exponential
 * backoff until {@link close}. Binary image frames become `image` events; other binary frames and
 * unknown message types are skipped.
 */
export class ComfyUiEventStream extends EventEmitter<ComfyUiEventStreamEvents> {
  readonly clientId: string;
  private socket: WebSocket | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private failedAttempts = 0;
  private everReady = false;
  private sessionAnnounced = false;
  private droppedAt: number | undefined;
  private currentSid: string | undefined;
  private reconnectAttempts = 0;
  private readonly closeWaiters = new Set<() => void>();
  /** What the server may echo back in a message (the auth header), hidden before anyone sees it. */
  private readonly secrets: string[];

  constructor(private readonly options: EventStreamOptions) {
    super();
    this.clientId = options.clientId;
    this.secrets = secretsOfHeaders(options.headers);
    this.connect();
  }

  /** Session id of the live connection, once announced. */
  get sid(): string | undefined {
    return this.sessionAnnounced ? this.currentSid : undefined;
  }

  /** True once {@link close} was called. */
  get isClosed(): boolean {
    return this.closing;
  }

  /** True while a socket is open and its session announced. */
  get isReady(): boolean {
    return this.sessionAnnounced && this.socket?.readyState === WebSocket.OPEN;
  }

  /** Resolves once a connection is ready (at once if it is); rejects after `timeoutMs` or on close. */
  waitUntilReady(timeoutMs = 10_000): Promise<void> {
    if (this.isReady) return Promise.resolve();
    if (this.closing) return Promise.reject(new ComfyUiError('COMFYUI_UNREACHABLE', 'The ComfyUI event stream is closed'));
    return new Promise<void>((resolve, reject) => {
      const done = (error?: ComfyUiError): void => {
        clearTimeout(timer);
        this.off('ready', onReady);
        this.closeWaiters.delete(onClose);
        if (error) reject(error);
        else resolve();
      };
      const onReady = (): void => done();
      const onClose = (): void => done(new ComfyUiError('COMFYUI_UNREACHABLE', 'The ComfyUI event stream was closed before it connected'));
      const timer = setTimeout(
        () =>
          done(
            new ComfyUiError('COMFYUI_TIMEOUT', `No WebSocket session from ComfyUI at ${this.safeUrl()} within ${timeoutMs} ms. Start ComfyUI, check COMFYUI_BASE_URL and that a proxy forwards WebSocket upgrades.`, {
              url: this.safeUrl(),
            }),
          ),
        timeoutMs,
      );
      this.closeWaiters.add(onClose);
      this.on('ready', onReady);
    });
  }

  /** Closes the socket and stops reconnecting; no timers are left behind. Idempotent. */
  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    this.clearTimers();
    for (const waiter of this.closeWaiters) waiter();
    this.closeWaiters.clear();
    const socket = this.socket;
    this.closed = new Promise<void>((resolve) => {
      if (!socket || socket.readyState === WebSocket.CLOSED) return resolve();
      const force = setTimeout(() => socket.terminate(), 2_000);
      socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, 'client closing');
    });
    return this.closed;
  }

  private connect(): void {
    const { url, headers, handshakeTimeoutMs, maxPayloadBytes } = this.options;
    // No `origin` option: ComfyUI rejects an Origin that does not match its Host with 403.
    const socket = new WebSocket(url, { headers, handshakeTimeout: handshakeTimeoutMs, maxPayload: maxPayloadBytes });
    this.socket = socket;
    this.sessionAnnounced = false;
    socket.on('open', () => this.onOpen(socket));
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('pong', () => (this.awaitingPong = false));
    socket.on('error', (error) => this.onError(error));
    socket.on('close', (code, reason) => this.onClose(socket, code, reason.toString()));
  }

  private onOpen(socket: WebSocket): void {
    this.options.logger.debug('comfyui ws open', { url: this.safeUrl() });
    if (this.options.pingIntervalMs > 0) {
      this.awaitingPong = false;
      this.pingTimer = setInterval(() => {
        if (this.awaitingPong) {
          this.options.logger.warn('comfyui ws: no pong, dropping the connection', { url: this.safeUrl() });
          socket.terminate();
          return;
        }
        this.awaitingPong = true;
        socket.ping();
      }, this.options.pingIntervalMs);
    }
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) {
      const frame = parseBinaryFrame(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
      if ('image' in frame) this.emit('image', frame.image);
      else this.options.logger.debug('comfyui ws binary frame ignored', { reason: frame.ignored });
      return;
    }
    const parsed = parseFrame(data.toString());
    if ('ignored' in parsed) {
      this.options.logger.debug('comfyui ws message ignored', { reason: parsed.ignored });
      return;
    }
    const event = redactAnswer(parsed.event, this.secrets);
    // The first frame of every connection is `status` with `sid`. A sid frame on a connection
    // that already had one means the server started a new session for us.
    if (event.type === 'status' && event.data.sid !== undefined) this.onSession(event.data.sid);
    else if (!this.sessionAnnounced) this.onSession(undefined);
    this.emit('event', event);
    (this.emit as (name: string, event: ComfyUiEvent) => boolean)(event.type, event);
  }

  private onSession(sid: string | undefined): void {
    const previousSid = this.currentSid;
    const isNewSessionAfterReady = this.everReady;
    this.currentSid = sid ?? this.currentSid;
    this.sessionAnnounced = true;
    this.everReady = true;
    this.failedAttempts = 0;
    if (isNewSessionAfterReady) {
      const info: ReconnectedInfo = {
        sid,
        previousSid,
        sidChanged: sid !== undefined && previousSid !== undefined && sid !== previousSid,
        attempts: this.reconnectAttempts,
        downtimeMs: this.droppedAt === undefined ? 0 : Date.now() - this.droppedAt,
      };
      this.droppedAt = undefined;
      this.reconnectAttempts = 0;
      this.options.logger.warn('comfyui ws reconnected: the server may have restarted', { ...info });
      this.emit('reconnected', info);
    }
    this.emit('ready', { sid });
  }

  private onError(error: Error): void {
    if (this.closing) return;
    const status = /Unexpected server response: (\d+)/.exec(error.message)?.[1];
    const wrapped = status
      ? new ComfyUiError('COMFYUI_HTTP_ERROR', `ComfyUI refused the WebSocket upgrade at ${this.safeUrl()} with HTTP ${status}${status === '403' ? ' (an Origin/Host mismatch, or a proxy rejecting the credentials)' : ''}`, {
          url: this.safeUrl(),
          status: Number(status),
          cause: error,
        })
      : new ComfyUiError('COMFYUI_UNREACHABLE', `Cannot open the ComfyUI WebSocket at ${this.safeUrl()} (${errorText(error)}). Start ComfyUI, check COMFYUI_BASE_URL and that a proxy forwards WebSocket upgrades.`, {
          url: this.safeUrl(),
          cause: error,
        });
    this.options.logger.debug('comfyui ws error', { message: wrapped.message });
    if (this.listenerCount('error') > 0) this.emit('error', wrapped);
  }

  private onClose(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.clearTimers();
    const wasReady = this.sessionAnnounced;
    this.sessionAnnounced = false;
    if (this.closing) return;
    if (wasReady) this.droppedAt = Date.now();
    this.failedAttempts += 1;
    if (this.everReady) this.reconnectAttempts += 1;
    const delay = backoffDelay(this.failedAttempts, this.options.reconnectBaseDelayMs, this.options.reconnectMaxDelayMs, this.options.random);
    this.options.logger.debug('comfyui ws closed', { code, reason, retryInMs: delay });
    if (wasReady) this.emit('disconnected', { code, reason, retryInMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closing) this.connect();
    }, delay);
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.reconnectTimer = undefined;
    this.pingTimer = undefined;
  }

  private safeUrl(): string {
    return this.options.url;
  }
}
