import type { ApiWorkflow } from './api-workflow';

/** `/object_info` as the server sends it: class → definition (only what the conversion reads). */
export type ObjectInfo = Record<string, ObjectInfoNode>;

interface ObjectInfoNode {
  input?: { required?: Record<string, readonly unknown[]>; optional?: Record<string, readonly unknown[]> };
  input_order?: { required?: readonly string[]; optional?: readonly string[] };
  display_name?: string;
}

interface UiNode {
  id: number | string;
  type: string;
  mode?: number;
  title?: string;
  inputs?: Array<{ name: string; type?: string; link?: number | null; widget?: { name: string } }>;
  outputs?: Array<{ name?: string; type?: string; links?: number[] | null }>;
  widgets_values?: unknown[] | Record<string, unknown>;
}

/** `[link id, origin id, origin slot, target id, target slot, type]`, as ComfyUI's "Save" writes it. */
type UiLink = [number, number | string, number, number | string, number, string];

// LiteGraph modes: 2 = muted ("never"), 4 = bypassed. Both leave the prompt; a bypass bridges its inputs.
const MUTED = 2;
const BYPASSED = 4;
const VIRTUAL_NODES = new Set(['Reroute', 'PrimitiveNode', 'Note', 'MarkdownNote']);
const WIDGET_TYPES = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);

export type ConvertUiWorkflowResult = { ok: true; workflow: ApiWorkflow } | { ok: false; problem: string; fix: string };

/**
 * Converts a UI-format workflow (what ComfyUI's "Save" writes: `nodes` and `links`) to the API
 * format, as ComfyUI's front end does before queueing (`graphToPrompt`): widget values mapped to
 * inputs in `/object_info` order (the `control_after_generate` and upload companions skipped), links
 * resolved through `Reroute`s, `PrimitiveNode` values inlined, muted nodes left out (with the inputs
 * they fed) and bypassed nodes bridged input-to-output by type.
 */
export function convertUiWorkflow(data: { nodes: unknown; links?: unknown; definitions?: unknown }, objectInfo: ObjectInfo): ConvertUiWorkflowResult {
  const nodes = (Array.isArray(data.nodes) ? data.nodes : []) as UiNode[];
  const links = new Map<number, UiLink>();
  for (const link of (Array.isArray(data.links) ? data.links : []) as UiLink[]) if (Array.isArray(link)) links.set(link[0], link);
  const byId = new Map(nodes.map((node) => [String(node.id), node]));
  const subgraphs = (data.definitions as { subgraphs?: Array<{ id: string }> } | undefined)?.subgraphs ?? [];
  const workflow: ApiWorkflow = {};

  for (const node of nodes) {
    if (VIRTUAL_NODES.has(node.type) || node.mode === MUTED || node.mode === BYPASSED) continue;
    if (subgraphs.some((subgraph) => subgraph.id === node.type)) {
      return { ok: false, problem: `node ${node.id} is a subgraph, which Kiln does not convert from the UI format yet`, fix: 'export the workflow from ComfyUI with "Save (API)"' };
    }
    const info = objectInfo[node.type];
    if (!info) return { ok: false, problem: `node ${node.id} is a ${node.type}, which the server does not have (not in /object_info)`, fix: 'install the custom node on the server, or remove the node' };
    const inputs: Record<string, unknown> = { ...widgetInputs(node, info) };
    for (const input of node.inputs ?? []) {
      if (input.link === null || input.link === undefined) continue;
      const resolved = resolveLink(input.link, links, byId);
      if (resolved === undefined) delete inputs[input.name];
      else inputs[input.name] = resolved;
    }
    workflow[String(node.id)] = { inputs, class_type: node.type, _meta: { title: node.title ?? info.display_name ?? node.type } };
  }
  return { ok: true, workflow };
}

/** Widget name → value, pairing `widgets_values` with the widget inputs in `/object_info` order. */
function widgetInputs(node: UiNode, info: ObjectInfoNode): Record<string, unknown> {
  const values = node.widgets_values;
  if (values && !Array.isArray(values)) return { ...values }; // some custom nodes save a name → value map
  const list = values ?? [];
  const inputs: Record<string, unknown> = {};
  let at = 0;
  for (const [name, spec] of orderedInputs(info)) {
    const [type, options = {}] = spec as [unknown, Record<string, unknown> | undefined];
    const isCombo = Array.isArray(type) || type === 'COMBO';
    if (!isCombo && !(typeof type === 'string' && WIDGET_TYPES.has(type))) continue;
    if (options['forceInput'] === true) continue;
    if (at >= list.length) break;
    const value = list[at++];
    // The front end wraps list values so they are not read as links; the server unwraps them.
    inputs[name] = Array.isArray(value) ? { __value__: value } : value;
    const controlled = options['control_after_generate'] === true || (type === 'INT' && (name === 'seed' || name === 'noise_seed'));
    if (controlled || (isCombo && options['image_upload'] === true)) at++;
  }
  return inputs;
}

function orderedInputs(info: ObjectInfoNode): Array<[string, readonly unknown[]]> {
  const entries: Array<[string, readonly unknown[]]> = [];
  for (const group of ['required', 'optional'] as const) {
    const specs = info.input?.[group] ?? {};
    const order = info.input_order?.[group] ?? Object.keys(specs);
    for (const name of order) if (specs[name]) entries.push([name, specs[name]]);
  }
  return entries;
}

/** The API value of a linked input: `[origin id, slot]`, a primitive's value, or undefined when its source is muted. */
function resolveLink(linkId: number, links: Map<number, UiLink>, byId: Map<string, UiNode>, seen = new Set<number>()): unknown {
  const link = links.get(linkId);
  if (!link || seen.has(linkId)) return undefined;
  seen.add(linkId);
  const [, originId, originSlot] = link;
  const origin = byId.get(String(originId));
  if (!origin || origin.mode === MUTED) return undefined;
  if (origin.type === 'Reroute') {
    const inner = origin.inputs?.[0]?.link;
    return inner === null || inner === undefined ? undefined : resolveLink(inner, links, byId, seen);
  }
  if (origin.type === 'PrimitiveNode') {
    const value = Array.isArray(origin.widgets_values) ? origin.widgets_values[0] : undefined;
    return Array.isArray(value) ? { __value__: value } : value;
  }
  if (origin.mode === BYPASSED) {
    // A bypassed node passes the first input of the output's type straight through.
    const type = origin.outputs?.[originSlot]?.type;
    const through = origin.inputs?.find((input) => input.type === type && input.link !== null && input.link !== undefined);
    return through ? resolveLink(through.link as number, links, byId, seen) : undefined;
  }
  return [String(originId), originSlot];
}
