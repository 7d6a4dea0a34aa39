import { comfyUiEntities, comfyUiMigrations } from '@kiln/comfyui';
import { pipelineEntities, pipelineMigrations } from '@kiln/pipeline';

/** Every entity and migration of the packs, in dependency order (pipeline tables first). */
export const kilnEntities = [...pipelineEntities, ...comfyUiEntities];
export const kilnMigrations = [...pipelineMigrations, ...comfyUiMigrations];
