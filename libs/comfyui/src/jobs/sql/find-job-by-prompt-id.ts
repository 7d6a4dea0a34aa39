import type { EntityManager } from 'typeorm';
import { ComfyUiJob } from '../comfyui-job.entity';

/** The job that owns a ComfyUI prompt, if any (a prompt of another client has none). */
export async function findJobByPromptId(manager: EntityManager, promptId: string): Promise<ComfyUiJob | undefined> {
  return (await manager.getRepository(ComfyUiJob).findOneBy({ promptId })) ?? undefined;
}
