import 'reflect-metadata';
import type { Server } from 'node:http';
import { JobEngine, releaseDeadLeases } from '@kiln/comfyui';
import { DatabaseError, openDatabase, type Database } from '@kiln/database';
import { GalleryError, startGallery, type RunningGallery } from '@kiln/gallery';
import { findWorkspaceRoot, redactUrl, SettingsError } from '@kiln/settings';
import { collectDefaultMetrics } from 'prom-client';
import type { Logger } from 'winston';
import { ComfyUiWatch } from './comfyui-watch';
import { loadWorkerConfig, type WorkerConfig } from './config';
import { kilnEntities, kilnMigrations } from './kiln-schema';
import { createWorkerLogger } from './logger';
import { startMetricsServer } from './metrics-server';
import type { ShutdownSignal } from './shutdown-signal';
import { tuneHeapGrowth } from './heap-tuning';

/** Exit codes: 0 stopped cleanly, 1 unexpected error, 2 bad configuration, 3 database unusable. */
const EXIT = { ok: 0, error: 1, config: 2, database: 3 } as const;

/**
 * `nx run worker:serve`: migrate, then work every active pipeline run until SIGTERM/SIGINT.
 * `--migrate-only` (`nx run worker:migrate`): apply migrations and exit.
 */
async function main(argv: string[], shutdown: ShutdownSignal): Promise<number> {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig(process.env, process.cwd(), findWorkspaceRoot(__dirname));
  } catch (error) {
    if (error instanceof SettingsError) {
      process.stderr.write(`kiln worker: ${error.message}\n`);
      return EXIT.config;
    }
    throw error;
  }
  const logger = createWorkerLogger(config.logLevel);
  shutdown.useLogger(logger);
  const early = await shutdown.receivedByNow();
  if (early) {
    // Stopped while the code loaded: nothing to open or undo.
    logger.info('worker stopped before it started', { signal: early });
    return EXIT.ok;
  }
  process.on('unhandledRejection', (reason) => {
    logger.error('unexpected error (unhandled rejection)', { error: (reason as Error)?.message ?? String(reason), stack: (reason as Error)?.stack });
  });

  let db: Database;
  try {
    db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, entities: kilnEntities, migrations: kilnMigrations });
  } catch (error) {
    if (error instanceof DatabaseError) {
      logger.error('cannot open the database', { code: error.code, error: error.message });
      return EXIT.database;
    }
    throw error;
  }
  logger.info('database ready', { database: db.location, kind: db.kind });
  if (argv.includes('--migrate-only')) {
    await db.close();
    logger.info('migrations applied', { database: db.location });
    return EXIT.ok;
  }
  if (shutdown.received) {
    await db.close();
    logger.info('worker stopped before it started', { signal: shutdown.received });
    return EXIT.ok;
  }
  return serve(config, db, logger, shutdown);
}

async function serve(config: WorkerConfig, db: Database, logger: Logger, shutdown: ShutdownSignal): Promise<number> {
  if (db.kind === 'postgres') {
    // The embedded database has one process (the engine's `exclusive` mode releases every lease).
    const released = await releaseDeadLeases(db.dataSource.manager);
    if (released) logger.info('released job leases of worker processes of this host that are gone', { owners: released });
  }
  const engine = new JobEngine({
    dataSource: db.dataSource,
    servers: config.servers,
    client: { headers: config.comfyUiHeaders },
    maxInFlightPerServer: config.maxInFlightPerServer,
    pollIntervalMs: config.pollIntervalMs,
    submitIntervalMs: config.submitIntervalMs,
    maxRetries: config.maxRetries,
    defaultTimeoutSeconds: config.defaultTimeoutSeconds,
    leaseMs: config.leaseMs,
    exclusive: db.kind === 'embedded',
    // Batch runs belong to the `kiln run` process driving them; the worker takes pipeline runs.
    runKind: 'pipeline',
    logger,
  });
  const watch = new ComfyUiWatch({
    servers: config.servers,
    headers: config.comfyUiHeaders,
    intervalMs: Math.min(10_000, Math.max(1000, config.pollIntervalMs)),
    logger,
    onAvailable: () => engine.start(),
    onUnavailable: () => engine.stop(),
  });

  let metricsServer: Server | undefined;
  if (config.metricsPort > 0) {
    // Process metrics beside Kiln's own (heap, RSS, event-loop lag, GC): what an operator watches
    // for a leak or a stalled loop, and what the memory bench reads.
    collectDefaultMetrics({ register: engine.metrics.registry });
    try {
      metricsServer = await startMetricsServer(config.metricsPort, config.metricsHost, engine.metrics.registry, async () => {
        const details = { workerId: engine.workerId, database: db.kind, comfyui: watch.status() };
        try {
          await db.dataSource.query('SELECT 1');
          return { ok: true, details };
        } catch (error) {
          // ComfyUI being down is not unhealthy (the worker waits for it); the database being gone is.
          return { ok: false, details: { ...details, error: (error as Error).message } };
        }
      });
    } catch (error) {
      logger.error(`cannot serve /metrics on port ${config.metricsPort}: ${(error as Error).message}; set KILN_METRICS_PORT to a free port, or 0 to turn the endpoints off`, {
        variable: 'KILN_METRICS_PORT',
      });
      await db.close();
      return EXIT.config;
    }
  }

  // The gallery on its own port, not beside /metrics: that one listens on every address for
  // Prometheus, the gallery on 127.0.0.1 unless a token guards it.
  let gallery: RunningGallery | undefined;
  if (config.gallery.port > 0) {
    try {
      gallery = await startGallery({ dataSource: db.dataSource, ...config.gallery, log: (message) => logger.error(message) });
    } catch (error) {
      if (!(error instanceof GalleryError)) throw error;
      logger.error(`cannot serve the gallery: ${error.message}; or set KILN_GALLERY_PORT=0 to turn it off`, { code: error.code });
      metricsServer?.close();
      await db.close();
      return EXIT.config;
    }
  }

  logger.info('worker starting', {
    workerId: engine.workerId,
    servers: config.servers.map(redactUrl),
    database: db.location,
    metrics: metricsServer ? `http://${config.metricsHost.includes(':') ? `[${config.metricsHost}]` : config.metricsHost}:${config.metricsPort}/metrics` : 'off',
    gallery: gallery?.url ?? 'off',
    pollIntervalSeconds: config.pollIntervalMs / 1000,
    submitIntervalSeconds: config.submitIntervalMs / 1000,
    maxInFlightPerServer: config.maxInFlightPerServer,
    runs: 'every active pipeline run (kiln pipeline start); batch runs are left to kiln run',
  });
  await Promise.race([watch.start(), shutdown.requested]);

  const summary = setInterval(() => {
    void engine.metrics.summary().then((s) => logger.info('worker summary', s));
  }, 60_000);
  summary.unref();

  const signal = await shutdown.requested;
  logger.info('stopping: no new work is claimed; finishing the job being written', { signal, timeoutSeconds: config.shutdownTimeoutSeconds });
  const deadline = setTimeout(() => {
    logger.error(`could not stop within KILN_SHUTDOWN_TIMEOUT=${config.shutdownTimeoutSeconds} s; exiting anyway (unfinished jobs are picked up by the next start)`);
    process.exit(EXIT.error);
  }, config.shutdownTimeoutSeconds * 1000);
  deadline.unref();
  clearInterval(summary);
  await watch.stop();
  await engine.stop();
  await gallery?.close();
  metricsServer?.closeAllConnections();
  metricsServer?.close();
  await db.close();
  clearTimeout(deadline);
  logger.info('worker stopped; jobs still in flight are picked up by the next start', { signal });
  return EXIT.ok;
}

/** Runs the worker until it stops, then exits; `shutdown` was installed by the entry (main.ts) before this module loaded. */
export function runWorker(shutdown: ShutdownSignal): void {
  tuneHeapGrowth();
  main(process.argv.slice(2), shutdown).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`kiln worker: ${(error as Error).stack ?? (error as Error).message}\n`);
      process.exit(EXIT.error);
    },
  );
}
