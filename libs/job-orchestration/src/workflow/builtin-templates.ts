import type { WorkflowParam, WorkflowTemplate } from './api-workflow';

/** Names of the workflows Kiln ships. */
export type BuiltinWorkflowName = 'txt2img' | 'img2img';

const BUILTIN_WORKFLOW_NAMES: readonly BuiltinWorkflowName[] = ['txt2img', 'img2img'];

/** Parameters a spec must set for a built-in workflow (its placeholders mean nothing). */
export const BUILTIN_REQUIRED_PARAMS: readonly WorkflowParam[] = ['checkpoint', 'prompt'];

// Node ids follow ComfyUI's stock default graph so payloads read like the docs (§2.1).
const TXT2IMG: WorkflowTemplate = {
  source: 'builtin:txt2img',
  graph: {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 0, steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
        model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0],
      },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'set-by-kiln.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'kiln', images: ['8', 0] } },
  },
  bindings: {
    seed: '3.inputs.seed', steps: '3.inputs.steps', cfg: '3.inputs.cfg', sampler: '3.inputs.sampler_name',
    scheduler: '3.inputs.scheduler', denoise: '3.inputs.denoise', checkpoint: '4.inputs.ckpt_name',
    width: '5.inputs.width', height: '5.inputs.height', prompt: '6.inputs.text', negative_prompt: '7.inputs.text',
    filename_prefix: '9.inputs.filename_prefix',
  },
};

// Children keep their parent's size: the uploaded image is encoded as is, so width/height have no place.
const IMG2IMG: WorkflowTemplate = {
  source: 'builtin:img2img',
  graph: {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 0, steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 0.6,
        model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['11', 0],
      },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'set-by-kiln.safetensors' } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'kiln', images: ['8', 0] } },
    '10': { class_type: 'LoadImage', inputs: { image: 'set-by-kiln.png' } },
    '11': { class_type: 'VAEEncode', inputs: { pixels: ['10', 0], vae: ['4', 2] } },
  },
  bindings: {
    seed: '3.inputs.seed', steps: '3.inputs.steps', cfg: '3.inputs.cfg', sampler: '3.inputs.sampler_name',
    scheduler: '3.inputs.scheduler', denoise: '3.inputs.denoise', checkpoint: '4.inputs.ckpt_name',
    prompt: '6.inputs.text', negative_prompt: '7.inputs.text', image: '10.inputs.image',
    filename_prefix: '9.inputs.filename_prefix',
  },
};

const BUILTINS: Record<BuiltinWorkflowName, WorkflowTemplate> = { txt2img: TXT2IMG, img2img: IMG2IMG };
deepFreeze(BUILTINS);

/** A built-in workflow template (frozen: payloads are always built on a copy). */
export function getBuiltinWorkflow(name: BuiltinWorkflowName): WorkflowTemplate {
  return BUILTINS[name];
}

export function isBuiltinWorkflowName(name: string): name is BuiltinWorkflowName {
  return (BUILTIN_WORKFLOW_NAMES as readonly string[]).includes(name);
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
