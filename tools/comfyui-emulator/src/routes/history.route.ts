import type { EmulatorContext } from '../emulator-context';
import { bareReply, jsonReply } from '../http/http-reply';
import type { Route } from '../http/router';
import { parsePythonJson } from '../python/python-json';
import { PythonException, isPlainObject, pyInt, pyTruthy } from '../python/python-values';
import { pyIterate } from './queue.route';

function intParam(value: string | null): number | undefined {
  if (value === null) return undefined;
  return Number(pyInt(value));
}

export function historyRoutes(context: EmulatorContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/history',
      handler: (request) => {
        const maxItems = intParam(request.query.get('max_items'));
        const offset = intParam(request.query.get('offset')) ?? -1;
        return jsonReply(context.history.list(maxItems, offset));
      },
    },
    {
      method: 'GET',
      pattern: '/history/{prompt_id}',
      handler: (request) => {
        const id = request.params.prompt_id;
        const entry = context.history.get(id);
        return jsonReply(entry ? new Map([[id, entry]]) : {});
      },
    },
    {
      method: 'POST',
      pattern: '/history',
      handler: (request) => {
        const body = parsePythonJson(request.body.toString('utf8'));
        if (!isPlainObject(body)) throw new PythonException('TypeError', 'body is not a dict');
        if ('clear' in body && pyTruthy(body.clear)) context.history.clear();
        if ('delete' in body) for (const id of pyIterate(body.delete)) context.history.delete(id);
        return bareReply();
      },
    },
  ];
}
