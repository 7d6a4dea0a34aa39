import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { acquireDataDirLock } from './data-dir-lock';

/**
 * The embedded PostgreSQL (PGlite) of one data folder, running in a worker thread. Booting PGlite is
 * WebAssembly work (a few hundred ms of CPU on an existing folder, seconds for initdb on a new one);
 * in its own thread it boots while the caller loads code and talks to ComfyUI, and queries run
 * there too. Clients speak the PostgreSQL wire protocol to it through {@link EmbeddedServer.connect}.
 */
export interface EmbeddedServer {
  readonly dataDir: string;
  /** Resolves once PGlite answers queries; rejects with why it could not start. */
  readonly ready: Promise<void>;
  /** A new client connection, for node-postgres's `stream` option. */
  connect(): Duplex;
  /**
   * Stops PGlite cleanly (its shutdown checkpoint: the next start needs no recovery) and releases
   * the folder's lock. Waits for a boot under way. Safe to call more than once.
   */
  close(): Promise<void>;
}

type ToWorker = { type: 'data'; socket: number; bytes: Uint8Array } | { type: 'close' };
type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'data'; socket: number; bytes: Uint8Array }
  | { type: 'fault'; message: string }
  | { type: 'closed' };

// Plain CommonJS run with `eval`: a file of its own would need a separate build output and a path
// that differs between sources (tests) and the bundle. Messages are handled strictly in order.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const messageOf = (error) => (error && error.message) || String(error);
let pglite;
const booted = (async () => {
  // Baseline (Liftoff) code only. By default V8 recompiles PGlite's hot WebAssembly functions with
  // TurboFan on background threads: over a second of CPU in a one-second kiln run, taken from the
  // run itself on a small machine, for no measurable gain on Kiln's small queries. Flags are
  // process-wide and must be set before the module is compiled.
  require('node:v8').setFlagsFromString('--no-wasm-dynamic-tiering --no-wasm-tier-up');
  const { PGlite } = require(workerData.pglite);
  pglite = new PGlite(workerData.dataDir);
  await pglite.waitReady;
})();
booted.then(
  () => parentPort.postMessage({ type: 'ready' }),
  (error) => parentPort.postMessage({ type: 'failed', message: messageOf(error) }),
);
let chain = booted.catch(() => undefined);
parentPort.on('message', (message) => {
  chain = chain.then(async () => {
    if (message.type === 'data') {
      await booted;
      const bytes = await pglite.execProtocolRaw(message.bytes);
      parentPort.postMessage({ type: 'data', socket: message.socket, bytes }, [bytes.buffer]);
    } else if (message.type === 'close') {
      try {
        if (pglite && !pglite.closed) await pglite.close();
      } finally {
        parentPort.postMessage({ type: 'closed' });
        parentPort.close();
      }
    }
  }).catch((error) => parentPort.postMessage({ type: 'fault', message: messageOf(error) }));
});
`;

/** How long close() waits for a boot under way (initdb takes seconds) before stopping the thread. */
const BOOT_WAIT_ON_CLOSE_MS = 60_000;

/** True when `dataDir` already holds a database (PGlite resumes it instead of running initdb). */
export function hasEmbeddedDatabase(dataDir: string): boolean {
  return existsSync(join(resolve(dataDir), 'PG_VERSION'));
}

/**
 * Takes the folder's lock (throws `DATABASE_LOCKED` when another live process holds it) and starts
 * PGlite in a worker thread; returns at once, before PGlite is ready.
 */
export function startEmbeddedServer(dataDir: string): EmbeddedServer {
  const folder = resolve(dataDir);
  const release = acquireDataDirLock(folder);
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pglite: require.resolve('@electric-sql/pglite'), dataDir: folder } });
  } catch (error) {
    release();
    throw error;
  }

  const sockets = new Map<number, WorkerSocket>();
  let nextSocket = 1;
  let fatal: Error | undefined;
  let markReady: () => void = () => undefined;
  let markFailed: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    markReady = resolveReady;
    markFailed = rejectReady;
  });
  ready.catch(() => undefined);
  let markClosed: () => void = () => undefined;
  const closedByWorker = new Promise<void>((resolveClosed) => (markClosed = resolveClosed));

  const fail = (error: Error): void => {
    fatal ??= error;
    markFailed(error);
    for (const socket of sockets.values()) socket.destroy(error);
    sockets.clear();
  };
  worker.on('message', (message: FromWorker) => {
    switch (message.type) {
      case 'ready':
        markReady();
        break;
      case 'failed':
        fail(new Error(`the embedded database in ${folder} did not start: ${message.message}`));
        break;
      case 'data':
        sockets.get(message.socket)?.receive(message.bytes);
        break;
      case 'fault':
        fail(new Error(`the embedded database in ${folder} failed: ${message.message}`));
        break;
      case 'closed':
        markClosed();
        break;
    }
  });
  worker.on('error', (error) => fail(error));
  worker.on('exit', (code) => {
    fail(new Error(`the embedded database in ${folder} stopped (worker exit code ${code})`));
    markClosed();
  });

  let closing: Promise<void> | undefined;
  return {
    dataDir: folder,
    ready,
    connect() {
      const id = nextSocket++;
      const socket = new WorkerSocket(
        ready,
        (bytes) => {
          if (fatal) throw fatal;
          worker.postMessage({ type: 'data', socket: id, bytes } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
        },
        () => sockets.delete(id),
      );
      if (fatal) socket.destroy(fatal);
      else sockets.set(id, socket);
      return socket;
    },
    close() {
      closing ??= (async () => {
        try {
          if (await settlesWithin(ready, BOOT_WAIT_ON_CLOSE_MS)) {
            worker.postMessage({ type: 'close' } satisfies ToWorker);
            await closedByWorker;
          } else {
            // A boot that never ends has nothing to save; waiting on it would hang the process.
            await worker.terminate();
          }
        } finally {
          // PGlite has shut down: the thread's own teardown need not hold up this process.
          worker.unref();
          release();
        }
      })();
      return closing;
    },
  };
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolveTimeout) => (timer = setTimeout(() => resolveTimeout(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One client connection: what node-postgres writes goes to PGlite, its answers come back as data. */
class WorkerSocket extends Duplex {
  constructor(
    private readonly ready: Promise<void>,
    private readonly send: (bytes: Uint8Array) => void,
    private readonly forget: () => void,
  ) {
    super();
  }

  connect(): this {
    this.ready.then(
      () => this.emit('connect'),
      (error: Error) => this.destroy(error),
    );
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  receive(bytes: Uint8Array): void {
    if (bytes.byteLength) this.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  /** node-postgres corks the messages of a query: they go to the worker as one message. */
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    try {
      // A copy the worker can own: chunks may share node's pooled buffers.
      const bytes = new Uint8Array(chunks.reduce((length, { chunk }) => length + chunk.byteLength, 0));
      let offset = 0;
      for (const { chunk } of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
      this.send(bytes);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _read(): void {
    // Data is pushed as the worker answers.
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.forget();
    this.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.forget();
    callback(error);
  }
}
