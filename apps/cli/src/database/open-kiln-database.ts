import { comfyUiEntities, comfyUiMigrations } from '@kiln/comfyui';
import { openDatabase, type Database, type EmbeddedServer } from '@kiln/database';
import { pipelineEntities, pipelineMigrations } from '@kiln/pipeline';
import type { CliConfig } from '../config/cli-config';

/**
 * Opens (and migrates) Kiln's database: `DATABASE_URL`, or the embedded one in `KILN_DATA_DIR`
 * (`embedded`: the one already started for it, which the database then owns).
 */
export function openKilnDatabase(config: CliConfig, embedded?: EmbeddedServer): Promise<Database> {
  return openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    embedded,
    entities: [...pipelineEntities, ...comfyUiEntities],
    migrations: [...pipelineMigrations, ...comfyUiMigrations],
    poolSize: 4,
  });
}
