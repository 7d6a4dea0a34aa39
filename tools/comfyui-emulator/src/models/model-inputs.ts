/** Where a COMBO input's choices come from: a model folder, plus fixed entries the node appends. */
export interface ModelInputSource {
  folder: string;
  extra?: string[];
}

const CLIP_INPUTS = ['clip_name', 'clip_name1', 'clip_name2', 'clip_name3', 'clip_name4'];

function each(folder: string, inputs: string[], extra?: string[]): Record<string, ModelInputSource> {
  return Object.fromEntries(inputs.map((input) => [input, extra ? { folder, extra } : { folder }]));
}

/** `folder_paths.get_filename_list(...)` calls of the catalogue's loaders (nodes.py, comfy_extras). */
const MODEL_INPUTS: Record<string, Record<string, ModelInputSource>> = {
  CheckpointLoaderSimple: each('checkpoints', ['ckpt_name']),
  CheckpointLoader: each('checkpoints', ['ckpt_name']),
  unCLIPCheckpointLoader: each('checkpoints', ['ckpt_name']),
  ImageOnlyCheckpointLoader: each('checkpoints', ['ckpt_name']),
  CreateHookModelAsLora: each('checkpoints', ['ckpt_name']),
  CreateHookModelAsLoraModelOnly: each('checkpoints', ['ckpt_name']),
  LoraLoader: each('loras', ['lora_name']),
  LoraLoaderModelOnly: each('loras', ['lora_name']),
  CreateHookLora: each('loras', ['lora_name']),
  CreateHookLoraModelOnly: each('loras', ['lora_name']),
  // VAELoader.vae_list(): the vae folder, then the approximations found, then "pixel_space".
  VAELoader: each('vae', ['vae_name'], ['pixel_space']),
  UNETLoader: each('diffusion_models', ['unet_name']),
  CLIPLoader: each('text_encoders', ['clip_name']),
  DualCLIPLoader: each('text_encoders', CLIP_INPUTS),
  TripleCLIPLoader: each('text_encoders', CLIP_INPUTS),
  QuadrupleCLIPLoader: each('text_encoders', CLIP_INPUTS),
  CLIPVisionLoader: each('clip_vision', ['clip_name']),
  ControlNetLoader: each('controlnet', ['control_net_name']),
  DiffControlNetLoader: each('controlnet', ['control_net_name']),
  StyleModelLoader: each('style_models', ['style_model_name']),
  GLIGENLoader: each('gligen', ['gligen_name']),
  HypernetworkLoader: each('hypernetworks', ['hypernetwork_name']),
  UpscaleModelLoader: each('upscale_models', ['model_name']),
  PhotoMakerLoader: each('photomaker', ['photomaker_model_name']),
  ModelPatchLoader: each('model_patches', ['name']),
  AudioEncoderLoader: each('audio_encoders', ['audio_encoder_name']),
};

/** The model folder behind `classType.inputName`, if its choices are model files. */
export function modelInputSource(classType: string, inputName: string): ModelInputSource | undefined {
  const inputs = Object.prototype.hasOwnProperty.call(MODEL_INPUTS, classType) ? MODEL_INPUTS[classType] : undefined;
  return inputs && Object.prototype.hasOwnProperty.call(inputs, inputName) ? inputs[inputName] : undefined;
}

/** Classes whose image choices are the input folder's images (LoadImage's `image_upload` list). */
export const INPUT_IMAGE_INPUTS: Record<string, string> = { LoadImage: 'image', LoadImageMask: 'image' };
