import type { EmulatorContext } from '../emulator-context';
import { bareReply } from '../http/http-reply';
import type { Route } from '../http/router';
import { parsePythonJson } from '../python/python-json';
import { isPlainObject, pyStr } from '../python/python-values';

export function interruptRoutes(context: EmulatorContext): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/interrupt',
      handler: (request) => {
        // An empty or non-JSON body counts as {} (global interrupt).
        let body: unknown = {};
        try {
          body = parsePythonJson(request.body.toString('utf8'));
        } catch {
          body = {};
        }
        if (isPlainObject(body) && 'prompt_id' in body) {
          if (!context.worker.interrupt(pyStr(body.prompt_id))) {
            context.options.log(`interrupt for ${pyStr(body.prompt_id)} ignored: not running`);
          }
        } else {
          context.worker.interrupt();
        }
        return bareReply();
      },
    },
    {
      method: 'POST',
      pattern: '/free',
      handler: (request) => {
        // Unlike /interrupt, /free has no fallback: invalid JSON is a 500.
        const body = parsePythonJson(request.body.toString('utf8'));
        if (isPlainObject(body) && body.free_memory === true) context.worker.cache.clear();
        return bareReply();
      },
    },
  ];
}
