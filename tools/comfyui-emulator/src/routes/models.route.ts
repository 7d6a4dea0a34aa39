import type { EmulatorContext } from '../emulator-context';
import { bareReply, jsonReply } from '../http/http-reply';
import type { Route } from '../http/router';

/** `folder_paths.folder_names_and_paths` keys, in the captured order. */
export const MODEL_FOLDERS = [
  'checkpoints', 'configs', 'loras', 'vae', 'text_encoders', 'diffusion_models', 'clip_vision', 'style_models',
  'embeddings', 'diffusers', 'vae_approx', 'controlnet', 'gligen', 'upscale_models', 'custom_nodes',
  'hypernetworks', 'photomaker', 'classifiers', 'model_patches', 'audio_encoders',
];

export function modelRoutes(context: EmulatorContext): Route[] {
  return [
    { method: 'GET', pattern: '/models', handler: () => jsonReply(MODEL_FOLDERS) },
    {
      method: 'GET',
      pattern: '/models/{folder}',
      handler: (request) => {
        const folder = request.params.folder;
        if (!MODEL_FOLDERS.includes(folder)) return bareReply(404);
        if (folder === 'checkpoints') return jsonReply([...context.options.checkpoints].sort());
        if (folder === 'embeddings') return jsonReply(context.options.embeddings.map((name) => `${name}.safetensors`).sort());
        return jsonReply([]);
      },
    },
    { method: 'GET', pattern: '/embeddings', handler: () => jsonReply(context.options.embeddings) },
  ];
}
