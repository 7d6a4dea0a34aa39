import { resolve } from 'node:path';

/**
 * The captured ComfyUI 0.3.64 responses, kept in the repository (see the folder's README for where
 * they came from). Every fixture loader of every project reads from here.
 */
export function comfyUiFixturesDir(): string {
  return resolve(__dirname, 'fixtures/comfyui-0.3.64');
}

/**
 * The workflow corpus: API-format workflows as users export them (Flux, SDXL + refiner, SD3.5, hires
 * fix, ControlNet, LoRA, inpainting…), some with UI-format twins. Placement, emulator and CLI tests read it.
 */
export function workflowCorpusDir(): string {
  return resolve(__dirname, 'fixtures/workflow-corpus');
}
