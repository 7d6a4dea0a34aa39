import type { ApiWorkflow } from '@kiln/job-orchestration';
import { parseNodeErrors } from './node-errors';
import { parseOutputRef } from './output-refs';
import type { HistoryEntry, NodeInfo, ObjectInfo, QueueItem, QueueState, SubmittedPrompt, SystemStats, UploadedImage } from './types';
import { expectArray, expectNumber, expectRecord, expectString, expectStringArray, isRecord, ShapeError } from './validate';

/** `POST /prompt` 200: `{prompt_id, number, node_errors}`. */
export function parseSubmitted(value: unknown): SubmittedPrompt {
  const body = expectRecord(value, 'body');
  return {
    promptId: expectString(body['prompt_id'], 'prompt_id'),
    number: expectNumber(body['number'], 'number'),
    nodeErrors: parseNodeErrors(body['node_errors']),
  };
}

/** `GET /queue`, pending sorted by `[number, prompt_id]` (the server sends its raw heap). */
export function parseQueue(value: unknown): QueueState {
  const body = expectRecord(value, 'body');
  const running = expectArray(body['queue_running'], 'queue_running').map((item, i) => parseQueueItem(item, `queue_running[${i}]`));
  const pending = expectArray(body['queue_pending'], 'queue_pending').map((item, i) => parseQueueItem(item, `queue_pending[${i}]`));
  pending.sort((a, b) => a.number - b.number || (a.promptId < b.promptId ? -1 : a.promptId > b.promptId ? 1 : 0));
  return { running, pending };
}

function parseQueueItem(value: unknown, what: string): QueueItem {
  const tuple = expectArray(value, what);
  return {
    number: expectNumber(tuple[0], `${what}[0]`),
    promptId: expectString(tuple[1], `${what}[1]`),
    prompt: (isRecord(tuple[2]) ? tuple[2] : {}) as ApiWorkflow,
    extraData: isRecord(tuple[3]) ? tuple[3] : {},
    outputsToExecute: Array.isArray(tuple[4]) ? tuple[4].map(String) : [],
  };
}

/** `GET /history/{id}`: `{id: entry}`, or `{}` when the prompt is not (yet) in history. */
export function parseHistoryOf(promptId: string): (value: unknown) => HistoryEntry | undefined {
  return (value) => {
    const body = expectRecord(value, 'body');
    const keys = Object.keys(body);
    if (keys.length === 0) return undefined;
    if (!(promptId in body)) throw new ShapeError(`expected the entry of ${JSON.stringify(promptId)}, got entries for ${keys.slice(0, 3).map((k) => JSON.stringify(k)).join(', ')}`);
    return parseHistoryEntry(body[promptId], promptId);
  };
}

function parseHistoryEntry(value: unknown, promptId: string): HistoryEntry {
  const what = `history[${JSON.stringify(promptId)}]`;
  const entry = expectRecord(value, what);
  const prompt = expectArray(entry['prompt'], `${what}.prompt`);
  expectNumber(prompt[0], `${what}.prompt[0]`);
  expectString(prompt[1], `${what}.prompt[1]`);
  const outputs = expectRecord(entry['outputs'] ?? {}, `${what}.outputs`);
  for (const [nodeId, ui] of Object.entries(outputs)) expectRecord(ui, `${what}.outputs.${nodeId}`);
  if (entry['status'] !== undefined && entry['status'] !== null) {
    const status = expectRecord(entry['status'], `${what}.status`);
    expectString(status['status_str'], `${what}.status.status_str`);
    if (typeof status['completed'] !== 'boolean') throw new ShapeError(`${what}.status.completed: expected a boolean`);
    expectArray(status['messages'], `${what}.status.messages`).forEach((message, i) => {
      const pair = expectArray(message, `${what}.status.messages[${i}]`);
      expectString(pair[0], `${what}.status.messages[${i}][0]`);
      expectRecord(pair[1], `${what}.status.messages[${i}][1]`);
    });
  }
  return { ...entry, outputs } as HistoryEntry;
}

/** `POST /upload/image` 200: `{name, subfolder, type}`, with the stored name checked like an output. */
export function parseUploaded(value: unknown): UploadedImage {
  const body = expectRecord(value, 'body');
  const ref = parseOutputRef({ filename: body['name'], subfolder: body['subfolder'] ?? '', type: body['type'] ?? 'input' }, 'upload');
  return { name: ref.filename, subfolder: ref.subfolder, type: ref.type };
}

/** `/object_info[/{class}]`: `{class: info}` (or `{}` for an unknown class). */
export function parseObjectInfo(value: unknown): ObjectInfo {
  const body = expectRecord(value, 'body');
  const result: ObjectInfo = {};
  for (const [name, info] of Object.entries(body)) {
    const record = expectRecord(info, name);
    expectRecord(record['input'] ?? {}, `${name}.input`);
    result[name] = record as NodeInfo;
  }
  return result;
}

/** `GET /models/checkpoints`: a sorted list of relative paths. */
export function parseNameList(value: unknown): string[] {
  return expectStringArray(value, 'body');
}

/**
 * Checkpoint names from `/object_info/CheckpointLoaderSimple`: `ckpt_name` is either the legacy
 * `[[names…], {…}]` or the newer `["COMBO", {options: [names…]}]`.
 */
export function parseCheckpointsFromObjectInfo(value: unknown): string[] {
  const info = parseObjectInfo(value)['CheckpointLoaderSimple'];
  if (!info) throw new ShapeError('the server does not know the node CheckpointLoaderSimple');
  const spec = info.input.required?.['ckpt_name'] ?? info.input.optional?.['ckpt_name'];
  if (!Array.isArray(spec)) throw new ShapeError('CheckpointLoaderSimple.input.required.ckpt_name: expected an input spec array');
  if (Array.isArray(spec[0])) return expectStringArray(spec[0], 'ckpt_name[0]');
  if (spec[0] === 'COMBO' && isRecord(spec[1])) return expectStringArray(spec[1]['options'], 'ckpt_name[1].options');
  throw new ShapeError('ckpt_name: expected a combo ([[names…], {…}] or ["COMBO", {options}])');
}

/** `GET /system_stats`. */
export function parseSystemStats(value: unknown): SystemStats {
  const body = expectRecord(value, 'body');
  const system = expectRecord(body['system'], 'system');
  expectString(system['os'], 'system.os');
  const devices = expectArray(body['devices'], 'devices');
  devices.forEach((device, i) => expectString(expectRecord(device, `devices[${i}]`)['name'], `devices[${i}].name`));
  return body as unknown as SystemStats;
}
