import 'reflect-metadata';
import { JobEngine } from '@kiln/comfyui';
import { openDatabase } from '@kiln/database';
import { authHeaders, ConfigError, loadWorkerConfig } from './config';
import { kilnEntities, kilnMigrations } from './kiln-schema';
import { createWorkerLogger } from './logger';
import { startMetricsServer } from './metrics-server';

/** `nx run worker:serve`: migrate, then work every active pipeline run until SIGTERM/SIGINT. */
async function main(argv: string[]): Promise<number> {
  let config;
  try {
    config = loadWorkerConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createWorkerLogger(config.logLevel);
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, entities: kilnEntities, migrations: kilnMigrations });
  logger.info('database ready', { database: db.location, kind: db.kind });
  if (argv.includes('--migrate-only')) {
    await db.close();
    logger.info('migrations applied');
    return 0;
  }

  const engine = new JobEngine({
    dataSource: db.dataSource,
    servers: config.servers,
    client: { headers: authHeaders(config) },
    maxInFlightPerServer: config.maxInFlightPerServer,
    pollIntervalMs: config.pollIntervalSeconds * 1000,
    submitIntervalMs: config.submitIntervalSeconds * 1000,
    maxRetries: config.maxRetries,
    defaultTimeoutSeconds: config.timeoutSeconds,
    exclusive: db.kind === 'embedded',
    logger,
  });
  const metricsServer =
    config.metricsPort > 0
      ? await startMetricsServer(config.metricsPort, engine.metrics.registry, async () => {
          await db.dataSource.query('SELECT 1');
          return { ok: true, details: { workerId: engine.workerId, database: db.kind } };
        })
      : undefined;
  await engine.start();
  logger.info('worker started', {
    servers: config.servers,
    database: db.location,
    metrics: config.metricsPort > 0 ? `http://0.0.0.0:${config.metricsPort}/metrics` : 'off',
    pollIntervalSeconds: config.pollIntervalSeconds,
    submitIntervalSeconds: config.submitIntervalSeconds,
  });

  const summary = setInterval(() => {
    void engine.metrics.summary().then((s) => logger.info('worker summary', s));
  }, 60_000);
  summary.unref();

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('stopping: finishing the job being written', { signal });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  clearInterval(summary);
  await engine.stop();
  metricsServer?.close();
  await db.close();
  logger.info('worker stopped; jobs still in flight are picked up by the next start');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`kiln worker: ${(error as Error).message}\n`);
    process.exit((error as { code?: string }).code === 'DATABASE_UNREACHABLE' ? 3 : 1);
  },
);
