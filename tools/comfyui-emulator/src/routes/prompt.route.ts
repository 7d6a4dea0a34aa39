import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../emulator-context';
import { jsonReply } from '../http/http-reply';
import type { Route, RouteRequest } from '../http/router';
import { parsePythonJson } from '../python/python-json';
import { PythonException, isPlainObject, pyFloat, pyStr, pyTruthy } from '../python/python-values';
import type { QueueItem } from '../queue/queue-item';
import { queueNumberValue } from '../queue/queue-item';
import { inputFileExists } from '../files/input-file-path';
import { validatePrompt, type ApiPrompt } from '../validation/validate-prompt';

/** Python's `key in value` for whatever JSON the client sent. */
function pyContains(value: unknown, key: string): boolean {
  if (isPlainObject(value)) return Object.prototype.hasOwnProperty.call(value, key);
  if (Array.isArray(value)) return value.includes(key);
  if (typeof value === 'string') return value.includes(key);
  throw new PythonException('TypeError', 'argument is not iterable');
}

function field(body: unknown, key: string): unknown {
  if (!isPlainObject(body)) throw new PythonException('TypeError', 'indices must be integers');
  return body[key];
}

/** `server.py` `post_prompt`, step for step (number first, then validation, then queueing). */
function postPrompt(context: EmulatorContext, request: RouteRequest) {
  const body = parsePythonJson(request.body.toString('utf8'));
  let number: number;
  let numberIsFloat = false;
  if (pyContains(body, 'number')) {
    number = pyFloat(field(body, 'number')).value;
    numberIsFloat = true;
  } else {
    number = context.session.number;
    if (pyContains(body, 'front') && pyTruthy(field(body, 'front'))) number = -number;
    context.session.number++;
  }

  if (!pyContains(body, 'prompt')) {
    context.counters.promptsRejected++;
    const error = { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} };
    return jsonReply({ error, node_errors: {} }, 400);
  }
  const record = body as Record<string, unknown>;
  const prompt = record.prompt;
  if (!isPlainObject(prompt)) throw new PythonException('AttributeError', "'prompt' is not a dict");
  const promptId = pyContains(record, 'prompt_id') ? pyStr(record.prompt_id) : randomUUID();
  const targets = pyContains(record, 'partial_execution_targets') ? record.partial_execution_targets : undefined;
  const outcome = validatePrompt(
    prompt as ApiPrompt,
    { catalogue: context.catalogue, inputFileExists: (name) => inputFileExists(name, context.dirs) },
    Array.isArray(targets) ? targets : targets === undefined || targets === null ? undefined : [],
  );
  let extraData: Record<string, unknown> = {};
  if (pyContains(record, 'extra_data')) extraData = record.extra_data as Record<string, unknown>;
  if (pyContains(record, 'client_id')) {
    if (!isPlainObject(extraData)) throw new PythonException('TypeError', 'extra_data is not a dict');
    extraData.client_id = record.client_id;
  }
  if (!outcome.ok) {
    context.counters.promptsRejected++;
    return jsonReply({ error: outcome.error, node_errors: outcome.nodeErrors }, 400);
  }
  const item: QueueItem = {
    number,
    numberIsFloat,
    promptId,
    prompt: prompt as ApiPrompt,
    extraData: isPlainObject(extraData) ? extraData : {},
    outputsToExecute: outcome.outputs,
  };
  context.queue.put(item);
  context.counters.promptsAccepted++;
  context.worker.kick();
  return jsonReply({ prompt_id: promptId, number: queueNumberValue(item), node_errors: outcome.nodeErrors });
}

export function promptRoutes(context: EmulatorContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/prompt',
      handler: () => jsonReply({ exec_info: { queue_remaining: context.queue.remaining() } }),
    },
    {
      method: 'POST',
      pattern: '/prompt',
      handler: (request) => {
        try {
          return postPrompt(context, request);
        } catch (error) {
          context.counters.promptsRejected++;
          throw error;
        }
      },
    },
  ];
}
