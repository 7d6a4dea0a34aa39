import type { ApiWorkflow, NodeInfo, ObjectInfo } from '@kiln/job-orchestration';
import { comboChoices, declaredInputs, type DeclaredInput } from './input-spec';
import { modelFolderOf } from './model-folders';
import type { PreflightProblem } from './preflight-problem';
import { MAX_LISTED } from '../client/cap-list';
import { rankByCloseness } from '../client/rank-by-closeness';

/** An input Kiln fills itself just before posting (an uploaded image): not checked against the server's lists. */
export interface UploadedInput {
  nodeId: string;
  input: string;
}

// Inputs whose node's own VALIDATE_INPUTS replaces the range and list checks: any existing input
// file passes (nodes.py LoadImage/LoadImageMask).
const FILE_INPUTS: Record<string, string> = { LoadImage: 'image', LoadImageMask: 'image', LoadImageOutput: 'image' };

/**
 * Everything ComfyUI's `validate_prompt`/`validate_inputs` (execution.py) would refuse in `workflow`
 * on a server with this `/object_info`, all at once instead of the first: unknown classes, no output
 * node, and, for every node an output depends on, missing required inputs, bad links, link type
 * mismatches, values that do not convert, INT/FLOAT bounds and COMBO values (legacy and
 * `["COMBO", {options}]` forms) the server does not offer. Pure: the workflow is not changed.
 */
export function preflightWorkflow(workflow: ApiWorkflow, catalogue: ObjectInfo, uploaded: readonly UploadedInput[] = []): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const infoOf = (classType: unknown): NodeInfo | undefined =>
    typeof classType === 'string' && Object.prototype.hasOwnProperty.call(catalogue, classType) ? catalogue[classType] : undefined;
  const outputs: string[] = [];
  let unknownClasses = false;
  for (const [nodeId, node] of Object.entries(workflow)) {
    const classType = (node as { class_type?: unknown } | null)?.class_type;
    if (typeof classType !== 'string') {
      problems.push({ code: 'missing_class_type', nodeId, title: titleOf(node), message: 'the node has no class_type' });
      unknownClasses = true;
      continue;
    }
    const info = infoOf(classType);
    if (!info) {
      problems.push({
        code: 'missing_node_class',
        nodeId,
        classType,
        title: titleOf(node),
        message: `node class ${classType} is not installed on the server (a custom node needs installing there)`,
      });
      unknownClasses = true;
    } else if (info.output_node === true) {
      outputs.push(nodeId);
    }
  }
  if (outputs.length === 0 && !unknownClasses) {
    problems.push({ code: 'prompt_no_outputs', nodeId: '-', message: 'the workflow has no output node (SaveImage, PreviewImage…)' });
  }

  const isUploaded = (nodeId: string, input: string) => uploaded.some((u) => u.nodeId === nodeId && u.input === input);
  const visited = new Set<string>();
  const visit = (nodeId: string): void => {
    if (visited.has(nodeId)) return;
    visited.add(nodeId);
    const node = workflow[nodeId];
    const info = infoOf(node.class_type);
    if (!info) return;
    const at = { nodeId, classType: node.class_type, title: titleOf(node) };
    const inputs = (typeof node.inputs === 'object' && node.inputs !== null ? node.inputs : {}) as Record<string, unknown>;
    for (const declared of declaredInputs(info)) {
      const name = declared.name;
      if (!Object.prototype.hasOwnProperty.call(inputs, name)) {
        if (declared.category === 'required') problems.push({ ...at, code: 'required_input_missing', input: name, message: 'required input is missing' });
        continue;
      }
      const value = inputs[name];
      if (Array.isArray(value)) {
        const source = checkLink(workflow, infoOf, value, declared);
        if (typeof source === 'string') visit(source);
        else if (source) problems.push({ ...at, input: name, value, ...source });
        continue;
      }
      if (isUploaded(nodeId, name)) continue;
      const problem = checkValue(node.class_type, declared, unwrap(value));
      if (problem) problems.push({ ...at, input: name, ...problem });
    }
  };
  for (const output of outputs) visit(output);
  return problems;
}

type Found = Omit<PreflightProblem, 'nodeId' | 'classType' | 'title' | 'input'>;

/** The source node id of a good link, or what is wrong with it. */
function checkLink(workflow: ApiWorkflow, infoOf: (c: unknown) => NodeInfo | undefined, link: unknown[], declared: DeclaredInput): string | Found | undefined {
  if (link.length !== 2) return { code: 'bad_linked_input', message: 'a link must be [node id, output slot]' };
  const [sourceId, slot] = link;
  if (typeof sourceId !== 'string' || !Object.prototype.hasOwnProperty.call(workflow, sourceId)) {
    return { code: 'bad_linked_input', message: `links to node ${JSON.stringify(sourceId)}, which is not in the workflow` };
  }
  const sourceInfo = infoOf(workflow[sourceId].class_type);
  if (!sourceInfo) return undefined; // reported as a missing class
  const outputs = sourceInfo.output ?? [];
  if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0 || slot >= outputs.length) {
    return { code: 'bad_linked_input', message: `links to output ${JSON.stringify(slot)} of node ${sourceId} (${sourceInfo.name ?? workflow[sourceId].class_type}), which has ${outputs.length}` };
  }
  const received = outputs[slot];
  if (!typesMatch(received, declared.type)) {
    return { code: 'return_type_mismatch', message: `takes ${typeName(declared.type)} but is linked to output ${slot} of node ${sourceId}, a ${typeName(received)}` };
  }
  return sourceId;
}

/** `comfy_execution/validation.py` `validate_node_input`: equal, `*`, or a shared member of comma lists. */
function typesMatch(received: unknown, expected: unknown): boolean {
  if (typeof received !== 'string' || typeof expected !== 'string') return JSON.stringify(received) === JSON.stringify(expected);
  if (received === expected || received === '*' || expected === '*') return true;
  const have = new Set(received.split(',').map((t) => t.trim()));
  return expected.split(',').some((t) => have.has(t.trim()));
}

function checkValue(classType: string, declared: DeclaredInput, value: unknown): Found | undefined {
  let converted = value;
  if (declared.type === 'INT' || declared.type === 'FLOAT') {
    converted = declared.type === 'INT' ? pythonInt(value) : pythonFloat(value);
    if (converted === undefined) return { code: 'invalid_input_type', value, message: `${JSON.stringify(value)} is not ${declared.type === 'INT' ? 'a whole number' : 'a number'}` };
  }
  if (FILE_INPUTS[classType] === declared.name) return checkInputFile(declared, value);
  if (typeof converted === 'number') {
    const { min, max } = declared.options;
    if (typeof min === 'number' && converted < min) return { code: 'value_smaller_than_min', value, message: `${converted} is smaller than the minimum ${min}` };
    if (typeof max === 'number' && converted > max) return { code: 'value_bigger_than_max', value, message: `${converted} is bigger than the maximum ${max}` };
  }
  const choices = comboChoices(declared);
  if (!choices || choices.some((choice) => choice === converted)) return undefined;
  return notOffered(value, choices, modelFolderOf(classType, declared.name));
}

/** LoadImage accepts any file in the input folder; only top-level names can be checked against its list. */
function checkInputFile(declared: DeclaredInput, value: unknown): Found | undefined {
  const choices = comboChoices(declared);
  if (!choices || typeof value !== 'string' || value.includes('/') || / \[(input|output|temp)\]$/.test(value)) return undefined;
  return choices.includes(value) ? undefined : notOffered(value, choices, 'input');
}

function notOffered(value: unknown, choices: unknown[], folder: string | undefined): Found {
  const names = choices.map(String);
  const where = folder ? ` (${folder === 'input' ? 'its input images' : folder})` : '';
  return {
    code: 'value_not_in_list',
    value,
    // Capped: a server listing 200,000 checkpoints must not make a message (or --json) of megabytes.
    choices: rankByCloseness(String(value), names).slice(0, MAX_LISTED),
    offered: names.length,
    ...(folder ? { folder } : {}),
    message: `'${String(value)}' is not offered by the server${where}`,
  };
}

function unwrap(value: unknown): unknown {
  return typeof value === 'object' && value !== null && '__value__' in value ? (value as { __value__: unknown }).__value__ : value;
}

/** Python's `int()` on JSON values: numbers truncate, booleans count, strings must spell a whole number. */
function pythonInt(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'string' && /^\s*[+-]?\d+(_\d+)*\s*$/.test(value)) return Number(value.replace(/_/g, ''));
  return undefined;
}

/** Python's `float()` on JSON values. */
function pythonFloat(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase().replace(/_/g, '');
    if (/^[+-]?(inf|infinity)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
    if (text !== '' && !Number.isNaN(Number(text))) return Number(text);
  }
  return undefined;
}

function typeName(type: unknown): string {
  return Array.isArray(type) ? 'COMBO' : String(type);
}

function titleOf(node: unknown): string | undefined {
  const title = (node as { _meta?: { title?: unknown } } | null)?._meta?.title;
  return typeof title === 'string' ? title : undefined;
}
