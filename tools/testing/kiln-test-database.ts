import { comfyUiEntities, comfyUiMigrations } from '@kiln/comfyui';
import { pipelineEntities, pipelineMigrations } from '@kiln/pipeline';
import { openTestDatabase, type TestDatabase, type TestDatabaseKind } from './test-database';

// Every pack's tables, in dependency order (pipeline first), as the apps open them.
export const kilnEntities = [...pipelineEntities, ...comfyUiEntities];
export const kilnMigrations = [...pipelineMigrations, ...comfyUiMigrations];

/** A fresh database with every pack's tables migrated: what a worker or the CLI would open. */
export function openKilnTestDatabase(kind: TestDatabaseKind = 'postgres'): Promise<TestDatabase> {
  return openTestDatabase(kind, kilnEntities, kilnMigrations);
}
