import { CreateComfyuiJobs1763600001000 } from '../migrations/1763600001000-create-comfyui-jobs';
import { IndexOpenSlots1763700001000 } from '../migrations/1763700001000-index-open-slots';
import { RenamePromptId1764800000000 } from '../migrations/1764800000000-rename-prompt-id';
import { ComfyUiJob } from './comfyui-job.entity';

/** Entities and migrations of the comfyui pack; they come after the pipeline pack's (foreign keys). */
export const comfyUiEntities = [ComfyUiJob];
export const comfyUiMigrations = [CreateComfyuiJobs1763600001000, IndexOpenSlots1763700001000, RenamePromptId1764800000000];
