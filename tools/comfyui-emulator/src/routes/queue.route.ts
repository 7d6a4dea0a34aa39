import type { EmulatorContext } from '../emulator-context';
import { bareReply, jsonReply } from '../http/http-reply';
import type { Route } from '../http/router';
import { parsePythonJson } from '../python/python-json';
import { PythonException, isPlainObject, pyTruthy } from '../python/python-values';
import { queueTuple } from '../queue/queue-item';

/** Iterates a JSON value like Python's `for x in value` (lists, dict keys, string characters). */
export function pyIterate(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  throw new PythonException('TypeError', 'object is not iterable');
}

export function queueRoutes(context: EmulatorContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/queue',
      handler: () => {
        const running = context.worker.running;
        return jsonReply({
          queue_running: running ? [queueTuple(running)] : [],
          queue_pending: context.queue.pending().map((item) => queueTuple(item)),
        });
      },
    },
    {
      method: 'POST',
      pattern: '/queue',
      handler: (request) => {
        const body = parsePythonJson(request.body.toString('utf8'));
        if (!isPlainObject(body)) throw new PythonException('TypeError', 'body is not a dict');
        if ('clear' in body && pyTruthy(body.clear)) context.queue.clear();
        if ('delete' in body) for (const id of pyIterate(body.delete)) context.queue.deletePending(id);
        return bareReply();
      },
    },
  ];
}
