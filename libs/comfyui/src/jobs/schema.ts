import { CreateComfyuiJobs1763600001000 } from '../migrations/1763600001000-create-comfyui-jobs';
import { IndexOpenSlots1763700001000 } from '../migrations/1763700001000-index-open-slots';
import { ComfyuiJob } from './comfyui-job.entity';

/** Entities and migrations of the comfyui pack; they come after the pipeline pack's (foreign keys). */
export const comfyUiEntities = [ComfyuiJob];
export const comfyUiMigrations = [CreateComfyuiJobs1763600001000, IndexOpenSlots1763700001000];
