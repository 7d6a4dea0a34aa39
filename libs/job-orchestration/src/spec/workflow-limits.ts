/** Deepest nesting accepted in a workflow file; ComfyUI's own exports stay under 10. */
const MAX_WORKFLOW_DEPTH = 64;
/** Most nodes accepted in one workflow; large real graphs have a few hundred. */
const MAX_WORKFLOW_NODES = 10_000;

/** Keys that reach an object's prototype when assigned or copied. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why parsed workflow JSON is unsafe to work with, or undefined: nested deeper than
 * {@link MAX_WORKFLOW_DEPTH} (later copies would overflow the stack), more than
 * {@link MAX_WORKFLOW_NODES} nodes, or a prototype key anywhere. Walks with its own stack, so the
 * check itself cannot overflow.
 */
export function workflowDataProblem(data: unknown): { problem: string; fix: string } | undefined {
  if (typeof data === 'object' && data !== null && !Array.isArray(data) && Object.keys(data).length > MAX_WORKFLOW_NODES) {
    return { problem: `has ${Object.keys(data).length} nodes, over the limit of ${MAX_WORKFLOW_NODES}`, fix: 'split the workflow; no real ComfyUI graph is that large' };
  }
  const stack: Array<{ value: unknown; depth: number; at: string }> = [{ value: data, depth: 0, at: '' }];
  while (stack.length) {
    const { value, depth, at } = stack.pop() as { value: unknown; depth: number; at: string };
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_WORKFLOW_DEPTH) {
      return { problem: `is nested deeper than ${MAX_WORKFLOW_DEPTH} levels (at ${at || 'the top'})`, fix: 'export the workflow from ComfyUI with "Save (API)"' };
    }
    for (const [key, child] of Object.entries(value)) {
      if (PROTOTYPE_KEYS.has(key)) return { problem: `has the key "${key}" at ${at || 'the top'}, which Kiln refuses (it could alter objects)`, fix: 'remove that key' };
      stack.push({ value: child, depth: depth + 1, at: at ? `${at}.${key}` : key });
    }
  }
  return undefined;
}

/** Why a bind path names a prototype key (`__proto__.inputs.x`, `3.inputs.constructor`), or undefined. */
export function prototypeSegmentProblem(bindPath: string): string | undefined {
  const bad = bindPath.split('.').find((segment) => PROTOTYPE_KEYS.has(segment));
  return bad === undefined ? undefined : `"${bindPath}" names "${bad}", which is no node or input of a workflow`;
}
