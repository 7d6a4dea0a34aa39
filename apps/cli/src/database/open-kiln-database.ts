import { comfyUiEntities, comfyUiMigrations } from '@kiln/comfyui';
import { databaseLocation, openDatabase, type Database, type EmbeddedServer } from '@kiln/database';
import { pipelineEntities, pipelineMigrations } from '@kiln/pipeline';
import type { CliConfig } from '../config/cli-config';
import type { Reporter } from '../output/reporter';

/**
 * Opens (and migrates) Kiln's database: `DATABASE_URL`, or the embedded one in `KILN_DATA_DIR`
 * (`embedded`: the one already started for it, which the database then owns). Says where it is
 * first, as the worker does, so a command that fails or waits on it has already named it.
 */
export function openKilnDatabase(config: CliConfig, reporter: Reporter, embedded?: EmbeddedServer): Promise<Database> {
  const location = databaseLocation({ url: config.databaseUrl, dataDir: config.dataDir });
  reporter.context(`database: ${location}`);
  return openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    embedded,
    entities: [...pipelineEntities, ...comfyUiEntities],
    migrations: [...pipelineMigrations, ...comfyUiMigrations],
    poolSize: 4,
  });
}
