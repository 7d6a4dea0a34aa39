import type { NodeCatalogue, NodeInfo } from '../catalogue/node-catalogue';
import {
  PythonException,
  PythonFloat,
  compareNumbers,
  isPlainObject,
  pyRepr,
  pyStr,
} from '../python/python-values';
import { coerceInputValue, pyEquals } from './coerce-input-value';
import { comboOptions } from './combo-options';
import { comfyUiError, type ComfyUiError, type NodeErrorEntry } from './comfyui-error';
import { RAISED_AT, validationTraceback } from './validation-traceback';

/** API-format workflow: node id → `{class_type, inputs}`. Values are coerced in place, like ComfyUI. */
export type ApiPrompt = Record<string, unknown>;

export interface ValidationContext {
  catalogue: NodeCatalogue;
  /** LoadImage's VALIDATE_INPUTS: does this (possibly annotated) input file exist? */
  inputFileExists(name: string): boolean;
}

export type ValidationOutcome =
  | { ok: true; outputs: string[]; nodeErrors: Map<string, NodeErrorEntry> }
  | { ok: false; error: ComfyUiError; nodeErrors: Map<string, NodeErrorEntry> };

type NodeResult = [valid: boolean, errors: ComfyUiError[]];

// Nodes whose own VALIDATE_INPUTS replaces the min/max/combo checks for these inputs.
const CUSTOM_VALIDATED_INPUTS: Record<string, string[]> = { LoadImage: ['image'], LoadImageMask: ['image'] };

function nodeOf(prompt: ApiPrompt, id: unknown, raisedAt: string): Record<string, unknown> {
  if (typeof id !== 'string') {
    if (Array.isArray(id) || isPlainObject(id)) {
      throw new PythonException('TypeError', `unhashable type: '${Array.isArray(id) ? 'list' : 'dict'}'`, [raisedAt]);
    }
    throw new PythonException('KeyError', pyRepr(id), [raisedAt]);
  }
  if (!Object.prototype.hasOwnProperty.call(prompt, id)) throw new PythonException('KeyError', pyRepr(id), [raisedAt]);
  return prompt[id] as Record<string, unknown>;
}

function returnTypeAt(info: NodeInfo, slot: unknown): unknown {
  const outputs = info.output;
  if (typeof slot === 'boolean') slot = slot ? 1 : 0;
  if (typeof slot !== 'number' || !Number.isInteger(slot)) {
    const typeName = slot instanceof PythonFloat ? 'float' : typeof slot === 'string' ? 'str' : 'NoneType';
    throw new PythonException('TypeError', `tuple indices must be integers or slices, not ${typeName}`, [RAISED_AT.linkedSlot]);
  }
  const index = slot < 0 ? outputs.length + slot : slot;
  if (index < 0 || index >= outputs.length) throw new PythonException('IndexError', 'tuple index out of range', [RAISED_AT.linkedSlot]);
  return outputs[index];
}

/** `comfy_execution/validation.py` `validate_node_input`, with `*` matching anything. */
function typesCompatible(received: unknown, expected: unknown): boolean {
  if (pyEquals(received, expected)) return true;
  if (typeof received !== 'string' || typeof expected !== 'string') return false;
  if (received === '*' || expected === '*') return true;
  const receivedSet = new Set(received.split(',').map((t) => t.trim()));
  return expected.split(',').some((t) => receivedSet.has(t.trim()));
}

function inputTypeText(inputType: unknown): string {
  return pyStr(inputType);
}

class PromptValidator {
  private readonly validated = new Map<string, NodeResult>();

  constructor(
    private readonly prompt: ApiPrompt,
    private readonly context: ValidationContext,
  ) {}

  results(): Map<string, NodeResult> {
    return this.validated;
  }

  record(id: string, result: NodeResult): void {
    this.validated.set(id, result);
  }

  /** `execution.py` `validate_inputs` for one node, memoized per prompt. */
  validateNode(id: string): NodeResult {
    const memo = this.validated.get(id);
    if (memo) return memo;
    const node = nodeOf(this.prompt, id, RAISED_AT.nodeInputs);
    if (!Object.prototype.hasOwnProperty.call(node, 'inputs')) throw new PythonException('KeyError', "'inputs'", [RAISED_AT.nodeInputs]);
    const inputs = node.inputs as Record<string, unknown>;
    const classType = node.class_type as string;
    const info = this.context.catalogue.get(classType) as NodeInfo;
    const customInputs = CUSTOM_VALIDATED_INPUTS[classType] ?? [];
    const errors: ComfyUiError[] = [];
    let valid = true;

    for (const input of this.context.catalogue.inputsOf(info)) {
      const name = input.name;
      const inputType = input.spec[0];
      const extraInfo = input.spec[1] ?? {};
      if (!isPlainObject(inputs) || !Object.prototype.hasOwnProperty.call(inputs, name)) {
        if (input.category === 'required') {
          errors.push(comfyUiError('required_input_missing', 'Required input is missing', name, { input_name: name }));
        }
        continue;
      }
      let value = inputs[name];
      const inputConfig = [inputType, extraInfo];
      if (Array.isArray(value)) {
        if (value.length !== 2) {
          errors.push(
            comfyUiError('bad_linked_input', 'Bad linked input, must be a length-2 list of [node_id, slot_index]', name, {
              input_name: name,
              input_config: inputConfig,
              received_value: value,
            }),
          );
          continue;
        }
        const sourceId = value[0];
        const sourceNode = nodeOf(this.prompt, sourceId, RAISED_AT.linkedNode);
        const sourceInfo = this.context.catalogue.get(sourceNode.class_type as string) as NodeInfo;
        const receivedType = returnTypeAt(sourceInfo, value[1]);
        if (!typesCompatible(receivedType, inputType)) {
          errors.push(
            comfyUiError(
              'return_type_mismatch',
              'Return type mismatch between linked nodes',
              `${name}, received_type(${pyStr(receivedType)}) mismatch input_type(${inputTypeText(inputType)})`,
              { input_name: name, input_config: inputConfig, received_type: receivedType, linked_node: value },
            ),
          );
          continue;
        }
        try {
          const [upstreamValid] = this.validateNode(sourceId as string);
          if (!upstreamValid) valid = false;
        } catch (error) {
          valid = false;
          const exception = asPythonException(error);
          this.validated.set(sourceId as string, [
            false,
            [
              comfyUiError('exception_during_inner_validation', 'Exception when validating inner node', exception.message, {
                input_name: name,
                input_config: inputConfig,
                exception_message: exception.message,
                exception_type: exception.pythonType,
                traceback: validationTraceback('inner', exception.pythonTraceback),
                linked_node: value,
              }),
            ],
          ]);
        }
        continue;
      }

      if (isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, '__value__')) {
        value = value.__value__;
        inputs[name] = value;
      }
      try {
        value = coerceInputValue(inputType, value);
        inputs[name] = value;
      } catch (error) {
        const exception = asPythonException(error);
        errors.push(
          comfyUiError(
            'invalid_input_type',
            `Failed to convert an input value to a ${pyStr(inputType)} value`,
            `${name}, ${pyStr(value)}, ${exception.message}`,
            { input_name: name, input_config: inputConfig, received_value: value, exception_message: exception.message },
          ),
        );
        continue;
      }
      if (customInputs.includes(name)) continue;
      const rangeError = this.checkRange(name, value, inputConfig, extraInfo);
      if (rangeError) {
        errors.push(rangeError);
        continue;
      }
      const options = comboOptions(inputType, extraInfo);
      if (options && !options.some((choice) => pyEquals(choice, value))) {
        // ComfyUI leaves long lists (scanned model folders) out of the reply.
        const longList = options.length > 20;
        errors.push(
          comfyUiError(
            'value_not_in_list',
            'Value not in list',
            `${name}: '${pyStr(value)}' not in ${longList ? `(list of length ${options.length})` : pyStr(options)}`,
            { input_name: name, input_config: longList ? null : inputConfig, received_value: value },
          ),
        );
      }
    }

    for (const name of customInputs) {
      if (!isPlainObject(inputs) || !(name in inputs) || Array.isArray(inputs[name])) continue;
      const file = inputs[name];
      if (typeof file !== 'string' || !this.context.inputFileExists(file)) {
        errors.push(
          comfyUiError('custom_validation_failed', 'Custom validation failed for node', `${name} - Invalid image file: ${pyStr(file)}`, {
            input_name: name,
          }),
        );
      }
    }

    const result: NodeResult = errors.length > 0 || !valid ? [false, errors] : [true, []];
    this.validated.set(id, result);
    return result;
  }

  private checkRange(
    name: string,
    value: unknown,
    inputConfig: unknown[],
    extraInfo: Record<string, unknown>,
  ): ComfyUiError | undefined {
    const isNumber = (v: unknown) => typeof v === 'number' || typeof v === 'bigint' || v instanceof PythonFloat;
    if (!isNumber(value)) return undefined;
    const extra = { input_name: name, input_config: inputConfig, received_value: value };
    if (isNumber(extraInfo.min) && compareNumbers(value, extraInfo.min) < 0) {
      return comfyUiError(
        'value_smaller_than_min',
        `Value ${pyStr(value)} smaller than min of ${pyStr(extraInfo.min)}`,
        name,
        extra,
      );
    }
    if (isNumber(extraInfo.max) && compareNumbers(value, extraInfo.max) > 0) {
      return comfyUiError('value_bigger_than_max', `Value ${pyStr(value)} bigger than max of ${pyStr(extraInfo.max)}`, name, extra);
    }
    return undefined;
  }
}

function asPythonException(error: unknown): PythonException {
  if (error instanceof PythonException) return error;
  if (error instanceof RangeError) return new PythonException('RecursionError', 'maximum recursion depth exceeded');
  return new PythonException('Exception', error instanceof Error ? error.message : String(error));
}

function hasClassType(node: unknown): boolean {
  // Python's `'class_type' in node` works on dicts, lists and strings alike.
  if (isPlainObject(node)) return Object.prototype.hasOwnProperty.call(node, 'class_type');
  if (Array.isArray(node)) return node.includes('class_type');
  if (typeof node === 'string') return node.includes('class_type');
  throw new PythonException('TypeError', `argument of type '${typeof node}' is not iterable`);
}

/**
 * `execution.py` `validate_prompt`: class scan, outputs, then per-output input checks.
 * Throws PythonException where ComfyUI would crash with a 500.
 */
export function validatePrompt(
  prompt: ApiPrompt,
  context: ValidationContext,
  partialExecutionTargets?: unknown[],
): ValidationOutcome {
  const outputs: string[] = [];
  for (const [id, node] of Object.entries(prompt)) {
    if (!hasClassType(node)) {
      return {
        ok: false,
        error: comfyUiError(
          'invalid_prompt',
          'Cannot execute because a node is missing the class_type property.',
          `Node ID '#${id}'`,
        ),
        nodeErrors: new Map(),
      };
    }
    if (!isPlainObject(node)) throw new PythonException('TypeError', 'string indices must be integers');
    const classType = node.class_type;
    if (Array.isArray(classType) || isPlainObject(classType)) {
      throw new PythonException('TypeError', `unhashable type: '${Array.isArray(classType) ? 'list' : 'dict'}'`);
    }
    if (!context.catalogue.has(classType)) {
      return {
        ok: false,
        error: comfyUiError(
          'invalid_prompt',
          `Cannot execute because node ${pyStr(classType)} does not exist.`,
          `Node ID '#${id}'`,
        ),
        nodeErrors: new Map(),
      };
    }
    const info = context.catalogue.get(classType as string) as NodeInfo;
    if (info.output_node && (!partialExecutionTargets || partialExecutionTargets.includes(id))) outputs.push(id);
  }
  if (outputs.length === 0) {
    return { ok: false, error: comfyUiError('prompt_no_outputs', 'Prompt has no outputs'), nodeErrors: new Map() };
  }

  const validator = new PromptValidator(prompt, context);
  const goodOutputs: string[] = [];
  const outputErrors: ComfyUiError[] = [];
  const nodeErrors = new Map<string, NodeErrorEntry>();
  for (const output of outputs) {
    let valid: boolean;
    let reasons: ComfyUiError[];
    try {
      [valid, reasons] = validator.validateNode(output);
    } catch (error) {
      const exception = asPythonException(error);
      valid = false;
      reasons = [
        comfyUiError('exception_during_validation', 'Exception when validating node', exception.message, {
          exception_type: exception.pythonType,
          traceback: validationTraceback('output', exception.pythonTraceback),
        }),
      ];
      validator.record(output, [false, reasons]);
    }
    if (valid) {
      goodOutputs.push(output);
      continue;
    }
    outputErrors.push(...reasons);
    // Like ComfyUI, every failed node seen so far is charged to this output.
    for (const [nodeId, [nodeValid, nodeReasons]] of validator.results()) {
      if (nodeValid || nodeReasons.length === 0) continue;
      let entry = nodeErrors.get(nodeId);
      if (!entry) {
        entry = { errors: nodeReasons, dependent_outputs: [], class_type: (prompt[nodeId] as Record<string, unknown>).class_type };
        nodeErrors.set(nodeId, entry);
      }
      entry.dependent_outputs.push(output);
    }
  }
  if (goodOutputs.length === 0) {
    return {
      ok: false,
      error: comfyUiError(
        'prompt_outputs_failed_validation',
        'Prompt outputs failed validation',
        outputErrors.map((e) => `${e.message}: ${e.details}`).join('\n'),
      ),
      nodeErrors,
    };
  }
  return { ok: true, outputs: goodOutputs, nodeErrors };
}
