import { ComfyUiError } from '../errors';
import { capList, capText, MAX_LISTED } from './cap-list';
import type { NodeValidationError } from './types';
import { isRecord, stringOr } from './validate';

/**
 * Flattens ComfyUI's `node_errors` (`{nodeId: {errors: [...], dependent_outputs, class_type}}`).
 * Tolerates the pre-2025 array form (`[]`) and anything else by returning what it can read.
 */
export function parseNodeErrors(value: unknown): NodeValidationError[] {
  if (!isRecord(value)) return [];
  const result: NodeValidationError[] = [];
  for (const [nodeId, entry] of Object.entries(value)) {
    if (!isRecord(entry)) continue;
    const classType = typeof entry['class_type'] === 'string' ? entry['class_type'] : undefined;
    const dependentOutputs = Array.isArray(entry['dependent_outputs']) ? entry['dependent_outputs'].map(String) : [];
    const errors = Array.isArray(entry['errors']) ? entry['errors'] : [];
    for (const raw of errors) {
      if (!isRecord(raw)) continue;
      const extraInfo = isRecord(raw['extra_info']) ? raw['extra_info'] : {};
      const error: Omit<NodeValidationError, 'readable'> = {
        nodeId,
        classType,
        type: stringOr(raw['type'], 'unknown'),
        message: stringOr(raw['message'], ''),
        details: stringOr(raw['details'], ''),
        inputName: typeof extraInfo['input_name'] === 'string' ? extraInfo['input_name'] : undefined,
        receivedValue: extraInfo['received_value'],
        dependentOutputs,
        extraInfo,
      };
      result.push({ ...error, readable: formatNodeError(error) });
    }
  }
  return result;
}

/** One line per error, e.g. `node 4 (CheckpointLoaderSimple) input ckpt_name: 'x.safetensors' is not one of: a, b`. */
function formatNodeError(error: Omit<NodeValidationError, 'readable'>): string {
  const where = `node ${error.nodeId}${error.classType ? ` (${error.classType})` : ''}${error.inputName ? ` input ${error.inputName}` : ''}`;
  return `${where}: ${describeProblem(error)}`;
}

function describeProblem(error: Omit<NodeValidationError, 'readable'>): string {
  const received = formatValue(error.receivedValue);
  const config = Array.isArray(error.extraInfo['input_config']) ? error.extraInfo['input_config'] : undefined;
  const options = config && isRecord(config[1]) ? config[1] : {};
  switch (error.type) {
    case 'value_not_in_list': {
      const choices = config && Array.isArray(config[0]) ? config[0].map(String) : undefined;
      if (choices === undefined) {
        const count = /list of length (\d+)/.exec(error.details)?.[1];
        return count ? `${received} is not one of the ${count} allowed values` : `${received} is not an allowed value (${capText(error.details)})`;
      }
      if (choices.length === 0) return `${received} is not allowed: there are no choices (is the model folder empty?)`;
      const near = typeof error.receivedValue === 'string' ? error.receivedValue : undefined;
      return `${received} is not one of: ${capList(choices, MAX_LISTED, near)}`;
    }
    case 'required_input_missing':
      return 'required input is missing';
    case 'value_smaller_than_min':
      return options['min'] !== undefined ? `${received} is smaller than the minimum ${formatValue(options['min'])}` : error.message;
    case 'value_bigger_than_max':
      return options['max'] !== undefined ? `${received} is bigger than the maximum ${formatValue(options['max'])}` : error.message;
    case 'return_type_mismatch': {
      const got = error.extraInfo['received_type'];
      const expected = config?.[0];
      return typeof got === 'string' && typeof expected === 'string' ? `linked output is ${got} but the input takes ${expected}` : capText(`${error.message}: ${error.details}`);
    }
    case 'invalid_input_type': {
      const reason = typeof error.extraInfo['exception_message'] === 'string' ? ` (${error.extraInfo['exception_message']})` : '';
      return `${received} cannot be converted to ${typeof config?.[0] === 'string' ? config[0] : 'the input type'}${reason}`;
    }
    case 'custom_validation_failed':
      // details look like "image - Invalid image file: x.png"; the input name is already shown.
      return capText(error.inputName && error.details.startsWith(`${error.inputName} - `) ? error.details.slice(error.inputName.length + 3) : error.details || error.message);
    default:
      return capText([error.message, error.details].filter(Boolean).join(': ') || error.type);
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${capText(value)}'`;
  if (value === undefined) return 'the value';
  return capText(JSON.stringify(value) ?? String(value));
}

/** The error for a 400 on `POST /prompt`: ComfyUI's top-level error plus readable node errors. */
export function workflowRejectedError(status: number, body: string, ctx: { method: string; url: string }): ComfyUiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const record = isRecord(parsed) ? parsed : {};
  const rawError = record['error'];
  const nodeErrors = parseNodeErrors(record['node_errors']);
  let comfyUiErrorType: string | undefined;
  let headline: string;
  if (isRecord(rawError)) {
    comfyUiErrorType = typeof rawError['type'] === 'string' ? rawError['type'] : undefined;
    const message = stringOr(rawError['message'], comfyUiErrorType ?? 'rejected');
    const details = stringOr(rawError['details'], '');
    // Upstream faults leave `details` empty; `no_prompt` repeats the message in it.
    headline = capText(details && details !== message ? `${message} (${details})` : message);
  } else if (typeof rawError === 'string') {
    // Servers before 2025-04: {"error": "no prompt", "node_errors": []}
    comfyUiErrorType = rawError.replace(/\s+/g, '_').slice(0, 100);
    headline = capText(rawError);
  } else {
    headline = body.trim().slice(0, 300) || '(empty body)';
  }
  const lines = nodeErrors.slice(0, MAX_LISTED).map((e) => `\n  - ${e.readable}`).join('');
  const more = nodeErrors.length > MAX_LISTED ? `\n  … and ${nodeErrors.length - MAX_LISTED} more` : '';
  return new ComfyUiError('COMFYUI_WORKFLOW_REJECTED', `ComfyUI rejected the workflow (HTTP ${status}): ${headline}${lines}${more}`, {
    ...ctx,
    status,
    bodyExcerpt: body.slice(0, 500),
    comfyUiErrorType,
    nodeErrors,
  });
}
