import type { EmulatorContext } from '../emulator-context';
import { bareReply, jsonReply } from '../http/http-reply';
import type { Route } from '../http/router';
import { MODEL_FOLDERS } from '../models/model-folders';

function withoutExtension(file: string): string {
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}

export function modelRoutes(context: EmulatorContext): Route[] {
  return [
    { method: 'GET', pattern: '/models', handler: () => jsonReply(MODEL_FOLDERS) },
    {
      method: 'GET',
      pattern: '/models/{folder}',
      handler: (request) => {
        const folder = request.params.folder;
        if (!MODEL_FOLDERS.includes(folder)) return bareReply(404);
        return jsonReply(context.models.list(folder));
      },
    },
    {
      method: 'GET',
      pattern: '/embeddings',
      handler: () => jsonReply(context.models.list('embeddings').map(withoutExtension)),
    },
  ];
}
