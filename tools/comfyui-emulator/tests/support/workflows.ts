/** The stock txt2img graph of comfyui-api.md §2.1, with knobs for the values tests vary. */
export function txt2img(options: { seed?: number; text?: string; width?: number; steps?: number; prefix?: string } = {}) {
  return {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: options.seed ?? 42,
        steps: options.steps ?? 4,
        cfg: 7.0,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1.0,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: options.width ?? 64, height: 64, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: options.text ?? 'a watercolor fox', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: options.prefix ?? 'txt2img', images: ['8', 0] } },
  };
}

/** LoadImage → VAEEncode → KSampler(denoise) → VAEDecode → SaveImage. */
export function img2img(image: string, denoise = 0.5) {
  return {
    '1': { class_type: 'LoadImage', inputs: { image } },
    '2': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'dreamshaper_8.safetensors' } },
    '3': { class_type: 'VAEEncode', inputs: { pixels: ['1', 0], vae: ['2', 2] } },
    '4': { class_type: 'CLIPTextEncode', inputs: { text: 'oil painting', clip: ['2', 1] } },
    '5': {
      class_type: 'KSampler',
      inputs: {
        seed: 7, steps: 3, cfg: 6.5, sampler_name: 'euler', scheduler: 'karras', denoise,
        model: ['2', 0], positive: ['4', 0], negative: ['4', 0], latent_image: ['3', 0],
      },
    },
    '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['2', 2] } },
    '7': { class_type: 'SaveImage', inputs: { filename_prefix: 'img2img', images: ['6', 0] } },
  };
}
