/** `folder_paths.folder_names_and_paths` keys, in the captured `/models` order. */
export const MODEL_FOLDERS = [
  'checkpoints', 'configs', 'loras', 'vae', 'text_encoders', 'diffusion_models', 'clip_vision', 'style_models',
  'embeddings', 'diffusers', 'vae_approx', 'controlnet', 'gligen', 'upscale_models', 'custom_nodes',
  'hypernetworks', 'photomaker', 'classifiers', 'model_patches', 'audio_encoders',
];

// ComfyUI maps the legacy folder names onto these keys (models/clip → text_encoders, models/unet → diffusion_models).
const FOLDER_ALIASES: Record<string, string> = {
  clip: 'text_encoders',
  unet: 'diffusion_models',
  t2i_adapter: 'controlnet',
};

/** The `/models` key for a folder name or alias; undefined when ComfyUI has no such folder. */
function canonicalFolder(name: string): string | undefined {
  const folder = FOLDER_ALIASES[name] ?? name;
  return MODEL_FOLDERS.includes(folder) ? folder : undefined;
}

/**
 * Files an emulator offers unless told otherwise: enough for SD 1.5, SDXL base + refiner, SD3.5,
 * Flux dev (UNET and fp8 checkpoint), LoRA chains, ControlNet and model upscaling.
 */
export const DEFAULT_MODELS: Readonly<Record<string, readonly string[]>> = {
  checkpoints: [
    'v1-5-pruned-emaonly.safetensors',
    'sd_xl_base_1.0.safetensors',
    'dreamshaper_8.safetensors',
    'sd_xl_refiner_1.0.safetensors',
    'sd3.5_medium.safetensors',
    'flux1-dev-fp8.safetensors',
  ],
  loras: ['add_detail.safetensors', 'sdxl_offset_example_lora.safetensors', 'flux_realism_lora.safetensors'],
  vae: ['ae.safetensors', 'sdxl_vae.safetensors', 'vae-ft-mse-840000-ema-pruned.safetensors'],
  text_encoders: ['clip_g.safetensors', 'clip_l.safetensors', 't5xxl_fp16.safetensors', 't5xxl_fp8_e4m3fn.safetensors'],
  diffusion_models: ['flux1-dev.safetensors', 'flux1-schnell.safetensors'],
  clip_vision: ['clip_vision_g.safetensors'],
  controlnet: ['control_v11p_sd15_canny.pth', 'control_v11f1p_sd15_depth.pth'],
  upscale_models: ['4x-UltraSharp.pth', 'RealESRGAN_x2.pth'],
};

/** Files per model folder, changeable at run time (the control endpoint), always listed sorted like ComfyUI. */
export class ModelLibrary {
  private readonly folders = new Map<string, string[]>();

  constructor(initial: Record<string, readonly string[]>) {
    this.replace(initial);
  }

  /** Replaces the listed folders; throws on a folder ComfyUI does not have. */
  replace(patch: Record<string, readonly string[]>): void {
    for (const [name, files] of Object.entries(patch)) {
      const folder = canonicalFolder(name);
      if (!folder) throw new Error(`unknown model folder "${name}" (known: ${MODEL_FOLDERS.join(', ')})`);
      this.folders.set(folder, [...new Set(files)]);
    }
  }

  /** `folder_paths.get_filename_list(folder)`: sorted file names. */
  list(folder: string): string[] {
    return [...(this.folders.get(canonicalFolder(folder) ?? folder) ?? [])].sort();
  }

  /** Every folder with its files, in `/models` order. */
  all(): Record<string, string[]> {
    return Object.fromEntries(MODEL_FOLDERS.map((folder) => [folder, this.list(folder)]));
  }
}
