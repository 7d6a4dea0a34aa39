import type { ObjectInfo } from '@kiln/job-orchestration';
import { comboChoices, declaredInputs } from './input-spec';

const CLIP_INPUTS = ['clip_name', 'clip_name1', 'clip_name2', 'clip_name3', 'clip_name4'];

// Loader inputs whose choices are the files of one model folder (`folder_paths.get_filename_list`
// in nodes.py and comfy_extras). ComfyUI guarantees no route listing folders on every version, so
// what a server offers is read from its loaders in /object_info.
const FOLDER_INPUTS: Array<[folder: string, classType: string, inputs: string[]]> = [
  ['checkpoints', 'CheckpointLoaderSimple', ['ckpt_name']],
  ['checkpoints', 'CheckpointLoader', ['ckpt_name']],
  ['checkpoints', 'ImageOnlyCheckpointLoader', ['ckpt_name']],
  ['checkpoints', 'unCLIPCheckpointLoader', ['ckpt_name']],
  ['loras', 'LoraLoader', ['lora_name']],
  ['loras', 'LoraLoaderModelOnly', ['lora_name']],
  ['diffusion_models', 'UNETLoader', ['unet_name']],
  ['vae', 'VAELoader', ['vae_name']],
  ['text_encoders', 'CLIPLoader', ['clip_name']],
  ['text_encoders', 'DualCLIPLoader', CLIP_INPUTS],
  ['text_encoders', 'TripleCLIPLoader', CLIP_INPUTS],
  ['text_encoders', 'QuadrupleCLIPLoader', CLIP_INPUTS],
  ['clip_vision', 'CLIPVisionLoader', ['clip_name']],
  ['controlnet', 'ControlNetLoader', ['control_net_name']],
  ['controlnet', 'DiffControlNetLoader', ['control_net_name']],
  ['upscale_models', 'UpscaleModelLoader', ['model_name']],
  ['style_models', 'StyleModelLoader', ['style_model_name']],
  ['gligen', 'GLIGENLoader', ['gligen_name']],
  ['hypernetworks', 'HypernetworkLoader', ['hypernetwork_name']],
  ['photomaker', 'PhotoMakerLoader', ['photomaker_model_name']],
  ['model_patches', 'ModelPatchLoader', ['name']],
  ['audio_encoders', 'AudioEncoderLoader', ['audio_encoder_name']],
  ['input', 'LoadImage', ['image']],
];

/** The folders {@link listOfferedModels} knows, in display order. */
export const MODEL_FOLDERS: readonly string[] = [...new Set(FOLDER_INPUTS.map(([folder]) => folder))];

/** Older and shorter names people use for folders. */
const FOLDER_ALIASES: Record<string, string> = {
  unet: 'diffusion_models', unets: 'diffusion_models', clip: 'text_encoders', vaes: 'vae', lora: 'loras',
  checkpoint: 'checkpoints', controlnets: 'controlnet', upscale: 'upscale_models', images: 'input',
};

/** The folder a name (or alias such as `unet`, `clip`) stands for, or undefined. */
export function resolveModelFolder(name: string): string | undefined {
  const key = name.toLowerCase();
  return MODEL_FOLDERS.includes(key) ? key : FOLDER_ALIASES[key];
}

/** The model folder behind `classType.input`, if its choices are files of one. */
export function modelFolderOf(classType: string, input: string): string | undefined {
  return FOLDER_INPUTS.find(([, type, inputs]) => type === classType && inputs.includes(input))?.[0];
}

/**
 * What a server offers per folder, read from its loaders' COMBO inputs (both forms), sorted. A folder
 * whose loader the server lacks is left out; entries a loader appends (VAELoader's `pixel_space`) stay.
 */
export function listOfferedModels(catalogue: ObjectInfo): Record<string, string[]> {
  const offered = new Map<string, Set<string>>();
  for (const [folder, classType, names] of FOLDER_INPUTS) {
    const info = Object.prototype.hasOwnProperty.call(catalogue, classType) ? catalogue[classType] : undefined;
    if (!info) continue;
    for (const input of declaredInputs(info)) {
      if (!names.includes(input.name)) continue;
      const choices = comboChoices(input);
      if (!choices) continue;
      const set = offered.get(folder) ?? new Set<string>();
      for (const choice of choices) if (typeof choice === 'string') set.add(choice);
      offered.set(folder, set);
    }
  }
  return Object.fromEntries(MODEL_FOLDERS.filter((f) => offered.has(f)).map((f) => [f, [...(offered.get(f) ?? [])].sort((a, b) => a.localeCompare(b))]));
}
