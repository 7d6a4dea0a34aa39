import { comfyUiEntities, comfyUiMigrations } from '@kiln/comfyui';
import { openDatabase, type Database } from '@kiln/database';
import { pipelineEntities, pipelineMigrations } from '@kiln/pipeline';
import type { CliConfig } from '../config/cli-config';

/** Opens (and migrates) Kiln's database: `DATABASE_URL`, or the embedded one in `KILN_DATA_DIR`. */
export function openKilnDatabase(config: CliConfig): Promise<Database> {
  return openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    entities: [...pipelineEntities, ...comfyUiEntities],
    migrations: [...pipelineMigrations, ...comfyUiMigrations],
    poolSize: 4,
  });
}
