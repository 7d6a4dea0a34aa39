import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { NodeCatalogue } from './catalogue/node-catalogue';
import type { EmulatorContext } from './emulator-context';
import { resolveOptions, type EmulatorOptions, type ResolvedOptions } from './emulator-options';
import { emptyCounters, type EmulatorStats, type StatCounters } from './emulator-stats';
import { PromptWorker } from './execution/prompt-worker';
import type { EmulatorFaults, RequestFaultRule } from './faults/emulator-faults';
import { FaultInjector } from './faults/fault-injector';
import { listInputImages } from './files/input-files';
import { writeSyntheticInputImage } from './files/synthetic-input-images';
import type { EmulatorDirs } from './files/input-file-path';
import { bareReply, internalErrorReply, jsonReply, statusTextReply, textReply, type HttpReply } from './http/http-reply';
import { isCrossOriginToLoopback } from './http/origin-check';
import { BodyTooLargeError, readBody } from './http/read-body';
import { matchRoute, type Route } from './http/router';
import { writeReply } from './http/write-reply';
import { ModelLibrary } from './models/model-folders';
import { HistoryStore } from './queue/history-store';
import { PromptQueue } from './queue/prompt-queue';
import { CONTROL_PREFIX, emulatorControlRoutes } from './routes/emulator-control.route';
import { historyRoutes } from './routes/history.route';
import { interruptRoutes } from './routes/interrupt.route';
import { modelRoutes } from './routes/models.route';
import { objectInfoRoutes } from './routes/object-info.route';
import { promptRoutes } from './routes/prompt.route';
import { queueRoutes } from './routes/queue.route';
import { systemRoutes } from './routes/system.route';
import { uploadImageRoutes } from './routes/upload-image.route';
import { viewRoutes } from './routes/view.route';
import { WsHub } from './ws/ws-hub';

function makeTempDir(kind: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `comfyui-emulator-${kind}-`));
}

/** A fresh input dir holds `example.png`, like a fresh ComfyUI install (LoadImage's default choice). */
function seedExampleImage(inputDir: string): void {
  writeSyntheticInputImage(inputDir, 'example.png', 'e'.repeat(64));
}

function faultReply(rule: RequestFaultRule, accept: string | undefined, headers: http.IncomingHttpHeaders): HttpReply {
  const status = rule.status ?? 500;
  const echo = (rule.echoHeaders ?? []).map((name) => `${name}: ${String(headers[name.toLowerCase()] ?? '')}`).join('; ');
  if (status === 400) {
    const message = `Injected fault (comfyui-emulator)${echo ? `; received ${echo}` : ''}`;
    return jsonReply({ error: { type: 'emulator_fault', message, details: '', extra_info: {} }, node_errors: {} }, 400);
  }
  if (echo) return textReply(status, `${status}: ${http.STATUS_CODES[status] ?? 'Error'}; received ${echo}`);
  return status === 500 ? internalErrorReply(accept) : statusTextReply(status);
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** The HTTP + WebSocket server and all emulated ComfyUI state. */
export class EmulatorServer {
  readonly options: ResolvedOptions;
  readonly dirs: EmulatorDirs;
  readonly faults: FaultInjector;
  private readonly ownedDirs: string[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly routes: Route[];
  private readonly context: EmulatorContext;
  private readonly counters: StatCounters = emptyCounters();
  private refuseTimer: NodeJS.Timeout | undefined;
  private refuseDone: (() => void) | undefined;
  private listening = false;
  private closed = false;
  port = 0;

  constructor(options: EmulatorOptions) {
    this.options = resolveOptions(options);
    // Bad folders or node names throw here, before any temp dir exists.
    const models = new ModelLibrary(this.options.models);
    const catalogue = new NodeCatalogue(
      {
        modelFiles: (folder) => models.list(folder),
        inputImages: () => listInputImages(this.dirs.input),
      },
      this.options.customNodes,
    );
    this.dirs = this.prepareDirs(options);
    this.faults = new FaultInjector(options.faults);
    try {
      for (const name of this.options.inputImages) writeSyntheticInputImage(this.dirs.input, name);
    } catch (error) {
      for (const dir of this.ownedDirs) fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const hub: WsHub = new WsHub({
      queueRemaining: () => queue.remaining(),
      runningNodeFor: (sid): string | undefined => worker.runningNodeFor(sid),
      log: this.options.log,
    });
    const queue = new PromptQueue(() => hub.broadcastStatus());
    const history = new HistoryStore(this.options.historyLimit);
    const worker: PromptWorker = new PromptWorker({
      catalogue,
      dirs: this.dirs,
      queue,
      history,
      hub,
      faults: this.faults,
      counters: this.counters,
      isBrokenCheckpoint: (name) => this.isBrokenCheckpoint(name),
      promptDurationMs: this.options.promptDurationMs,
      nodeDurationMs: this.options.nodeDurationMs,
      log: this.options.log,
    });
    this.context = {
      options: this.options,
      dirs: this.dirs,
      catalogue,
      models,
      queue,
      history,
      worker,
      hub,
      faults: this.faults,
      counters: this.counters,
      session: { number: 0 },
      stats: () => this.stats(),
      restart: (downMs) => this.restart(downMs),
      refuseConnections: (ms) => this.refuseConnections(ms),
      dropWebSockets: () => hub.dropAll(),
      reset: () => this.reset(),
      addInputImage: (name) => writeSyntheticInputImage(this.dirs.input, name),
      inputImages: () => listInputImages(this.dirs.input),
    };
    this.routes = [
      ...promptRoutes(this.context),
      ...queueRoutes(this.context),
      ...historyRoutes(this.context),
      ...interruptRoutes(this.context),
      ...viewRoutes(this.context),
      ...uploadImageRoutes(this.context),
      ...modelRoutes(this.context),
      ...objectInfoRoutes(this.context),
      ...systemRoutes(this.context),
      { method: 'GET', pattern: '/ws', handler: () => textReply(400, 'No WebSocket UPGRADE hdr: None\n Can "Upgrade" only to "WebSocket".') },
    ];
    this.server = http.createServer((request, response) => void this.handleRequest(request, response));
    this.server.on('connection', (socket) => this.acceptConnection(socket));
    this.server.on('upgrade', (request, socket, head: Buffer) => this.handleUpgrade(request, socket, head));
  }

  get url(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${this.port}${this.options.basePath}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.port || this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const address = this.server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.options.port = this.port;
    this.listening = true;
  }

  stats(): EmulatorStats {
    const c = this.counters;
    return {
      promptsAccepted: c.promptsAccepted,
      promptsRejected: c.promptsRejected,
      promptsExecuted: c.promptsExecuted,
      promptsSucceeded: c.promptsSucceeded,
      promptsFailed: c.promptsFailed,
      promptsInterrupted: c.promptsInterrupted,
      queueLength: this.context.queue.pending().length,
      running: this.context.worker.running !== undefined,
      historySize: this.context.history.size(),
      wsConnections: this.context.hub.connectionCount(),
      requestsByRoute: { ...c.requestsByRoute },
      faultsInjected: this.faults.injected,
      restarts: c.restarts,
    };
  }

  get models(): ModelLibrary {
    return this.context.models;
  }

  addInputImages(names: string[]): void {
    for (const name of names) this.context.addInputImage(name);
  }

  setFaults(faults: Partial<EmulatorFaults>): void {
    this.faults.set(faults);
  }

  dropWebSockets(): void {
    this.context.hub.dropAll();
  }

  /** Stops listening for `ms` (clients get ECONNREFUSED), then listens on the same port again. */
  async refuseConnections(ms: number): Promise<void> {
    if (!this.listening || this.closed) return;
    this.listening = false;
    this.server.close();
    this.server.closeIdleConnections();
    await new Promise<void>((resolve) => {
      this.refuseDone = resolve;
      this.refuseTimer = setTimeout(resolve, ms);
    });
    this.refuseTimer = undefined;
    this.refuseDone = undefined;
    if (!this.closed) await this.listen();
  }

  async restart(downMs = 0): Promise<void> {
    this.counters.restarts++;
    const { worker, queue, history, hub } = this.context;
    await worker.cancel();
    queue.reset();
    history.clear();
    worker.cache.clear();
    this.context.session.number = 0;
    // Sockets die like in a real restart. Idle HTTP keep-alive connections are kept unless there is
    // downtime: killing them races with clients' connection pools and makes their tests flaky.
    hub.dropAll();
    this.clearTempDir();
    this.options.log('emulated restart');
    if (downMs > 0) await this.refuseConnections(downMs);
  }

  async reset(): Promise<void> {
    this.faults.reset();
    await this.restart();
    // Reset in place: the worker and routes hold this object.
    Object.assign(this.counters, emptyCounters());
    this.faults.injected = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.refuseTimer) clearTimeout(this.refuseTimer);
    this.refuseDone?.();
    await this.context.worker.close();
    await this.context.hub.close();
    const closed = new Promise<void>((resolve) => {
      if (!this.listening) return resolve();
      this.server.close(() => resolve());
    });
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
    for (const dir of this.ownedDirs) fs.rmSync(dir, { recursive: true, force: true });
  }

  private prepareDirs(options: EmulatorOptions): EmulatorDirs {
    const own = (kind: string) => {
      const dir = makeTempDir(kind);
      this.ownedDirs.push(dir);
      return dir;
    };
    const output = options.outputDir ? path.resolve(options.outputDir) : own('output');
    const inputGiven = options.inputDir !== undefined;
    const input = inputGiven ? path.resolve(options.inputDir as string) : own('input');
    fs.mkdirSync(output, { recursive: true });
    fs.mkdirSync(input, { recursive: true });
    if (!inputGiven) seedExampleImage(input);
    return { output, input, temp: own('temp') };
  }

  private clearTempDir(): void {
    for (const entry of fs.readdirSync(this.dirs.temp)) {
      fs.rmSync(path.join(this.dirs.temp, entry), { recursive: true, force: true });
    }
  }

  private isBrokenCheckpoint(name: string): boolean {
    const broken = this.options.brokenCheckpoints;
    return broken ? broken.includes(name) : name.includes('broken');
  }

  private acceptConnection(socket: Socket): void {
    if (this.faults.take('dropConnections')) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** Strips the base path; undefined when the request is outside it. */
  private stripBasePath(pathname: string): string | undefined {
    const base = this.options.basePath;
    if (!base) return pathname;
    if (pathname === base) return '/';
    return pathname.startsWith(`${base}/`) ? pathname.slice(base.length) : undefined;
  }

  private handleUpgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const stripped = this.stripBasePath(url.pathname);
    const routePath = stripped?.startsWith('/api/') ? stripped.slice(4) : stripped;
    const refuse = (status: number) => {
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (routePath !== '/ws') return refuse(404);
    if (isCrossOriginToLoopback(request.headers.host, request.headers.origin)) return refuse(403);
    if (this.faults.take('rejectWebSockets')) return refuse(503);
    this.countRequest('GET /ws');
    this.context.hub.handleUpgrade(request, socket, head, url.searchParams.get('clientId'));
  }

  private countRequest(key: string): void {
    this.counters.requestsByRoute[key] = (this.counters.requestsByRoute[key] ?? 0) + 1;
  }

  private async handleRequest(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://emulator');
    const accept = request.headers.accept;
    const send = (reply: HttpReply) => {
      if (reply.afterSend) response.once('finish', reply.afterSend);
      writeReply(response, reply, method === 'HEAD');
    };
    let body: Buffer;
    try {
      body = await readBody(request, this.options.maxUploadBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        send({ ...textReply(413, error.message), closeConnection: true });
      } else {
        response.destroy();
      }
      return;
    }
    const stripped = this.stripBasePath(url.pathname);
    if (stripped === undefined) return send(statusTextReply(404));
    const isControl = stripped.startsWith(`${CONTROL_PREFIX}/`);
    const routePath = !isControl && stripped.startsWith('/api/') ? stripped.slice(4) : stripped;
    if (!isControl && isCrossOriginToLoopback(request.headers.host, request.headers.origin)) {
      return send(bareReply(403));
    }
    const routes = isControl ? emulatorControlRoutes(this.context) : this.routes;
    const match = matchRoute(routes, method, routePath);
    this.countRequest(match.kind === 'found' ? `${match.route.method} ${match.route.pattern}` : `${method} <unknown>`);
    if (match.kind === 'not-found') return send(statusTextReply(404));
    if (match.kind === 'wrong-method') return send(statusTextReply(405, { Allow: match.allowed.join(',') }));

    const fault = isControl ? undefined : this.faults.pickRequestFault(method, routePath);
    const waitMs = (isControl ? 0 : this.faults.value.responseDelayMs) + (fault?.delayMs ?? 0);
    const hitsNow = fault && !fault.afterHandler && (fault.status !== undefined || fault.destroySocket);
    let reply: HttpReply | undefined;
    if (!hitsNow) {
      try {
        reply = await match.route.handler({
          method,
          path: routePath,
          query: url.searchParams,
          params: match.params,
          headers: request.headers,
          body,
        });
      } catch (error) {
        this.options.log(`${method} ${routePath} failed: ${error instanceof Error ? error.message : String(error)}`);
        reply = internalErrorReply(accept);
      }
    }
    await delay(waitMs);
    if (fault?.destroySocket) {
      request.socket.destroy();
      return;
    }
    if (fault && fault.status !== undefined) reply = faultReply(fault, accept, request.headers);
    send(reply ?? internalErrorReply(accept));
  }
}
