import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { resolveInputFile, type EmulatorDirs } from '../files/input-file-path';
import { stringifyPythonJson } from '../python/python-json';
import { isPlainObject } from '../python/python-values';
import type { ApiPrompt } from '../validation/validate-prompt';

function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

function hasIsChanged(classType: unknown): boolean {
  return classType === 'LoadImage' || classType === 'LoadImageMask';
}

/**
 * The prompt as nodes see it during a run: ComfyUI stores each IS_CHANGED result into the node as
 * `is_changed: [value]`, which is why SaveImage's PNG metadata shows it while /history does not.
 */
export function withIsChangedMarks(prompt: ApiPrompt, dirs: EmulatorDirs): ApiPrompt {
  const copy: ApiPrompt = { ...prompt };
  for (const [id, node] of Object.entries(prompt)) {
    if (!isPlainObject(node) || !hasIsChanged(node.class_type)) continue;
    const inputs = isPlainObject(node.inputs) ? node.inputs : {};
    copy[id] = { ...node, is_changed: [isChanged(node.class_type, inputs, dirs)] };
  }
  return copy;
}

// Classes whose IS_CHANGED returns time.time(): they run on every prompt.
const ALWAYS_CHANGED = new Set(['SaveImageWebsocket']);
let changeCounter = 0;

/** LoadImage's IS_CHANGED: the file's sha256, so a replaced upload re-runs the node. */
function isChanged(classType: unknown, inputs: Record<string, unknown>, dirs: EmulatorDirs): string {
  if (typeof classType === 'string' && ALWAYS_CHANGED.has(classType)) return `changed:${Date.now()}:${++changeCounter}`;
  if (!hasIsChanged(classType) || typeof inputs.image !== 'string') return '';
  const file = resolveInputFile(inputs.image, dirs);
  try {
    return createHash('sha256').update(fs.readFileSync(file ?? '')).digest('hex');
  } catch {
    return 'missing';
  }
}

/**
 * Cache keys per node, like ComfyUI's classic HierarchicalCache: class, IS_CHANGED, sorted literal
 * inputs and the ancestors' keys (not their ids), so an identical resubmit hits every node.
 */
export function computeSignatures(prompt: ApiPrompt, dirs: EmulatorDirs): Map<string, string> {
  const signatures = new Map<string, string>();
  const visiting = new Set<string>();
  const signatureOf = (id: string): string => {
    const known = signatures.get(id);
    if (known) return known;
    const node = prompt[id];
    if (!isPlainObject(node) || visiting.has(id)) return `missing:${id}`;
    visiting.add(id);
    const inputs = isPlainObject(node.inputs) ? node.inputs : {};
    const parts = Object.keys(inputs)
      .sort()
      .map((name) => {
        const value = inputs[name];
        return isLink(value) ? [name, 'link', signatureOf(value[0]), value[1]] : [name, value];
      });
    const signature = createHash('sha256')
      .update(stringifyPythonJson([node.class_type, isChanged(node.class_type, inputs, dirs), parts]))
      .digest('hex');
    visiting.delete(id);
    signatures.set(id, signature);
    return signature;
  };
  for (const id of Object.keys(prompt)) signatureOf(id);
  return signatures;
}
