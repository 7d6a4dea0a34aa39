import type { ApiWorkflow } from './api-workflow';
import type { NodeInfo, ObjectInfo } from './object-info';

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
type UiLinkArray = [number, number | string, number, number | string, number, string];
/** The object form subgraph definitions use. */
interface UiLinkObject {
  id: number;
  origin_id: number | string;
  origin_slot: number;
  target_id: number | string;
  target_slot: number;
}

interface SubgraphDefinition {
  id: string;
  nodes?: UiNode[];
  links?: Array<UiLinkArray | UiLinkObject>;
}

// LiteGraph modes: 2 = muted ("never"), 4 = bypassed. Both leave the prompt; a bypass bridges its inputs.
const MUTED = 2;
const BYPASSED = 4;
// The pseudo-nodes of a subgraph: its inputs (links from -10, slot = instance input) and outputs (links to -20).
const SUBGRAPH_INPUT = '-10';
const SUBGRAPH_OUTPUT = '-20';
const VIRTUAL_NODES = new Set(['Reroute', 'PrimitiveNode', 'Note', 'MarkdownNote']);
const WIDGET_TYPES = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);

export type ConvertUiWorkflowResult = { ok: true; workflow: ApiWorkflow } | { ok: false; problem: string; fix: string };

/** One graph level: the top graph, or one subgraph instance (its node ids get `<instance id>:`). */
interface Scope {
  prefix: string;
  nodes: Map<string, UiNode>;
  links: Map<number, { origin: string; slot: number; target: string; targetSlot: number }>;
  parent?: { scope: Scope; instance: UiNode };
}

class ConversionError extends Error {}

/**
 * Converts a UI-format workflow (what ComfyUI's "Save" writes: `nodes` and `links`) to the API
 * format, as ComfyUI's front end does before queueing (`graphToPrompt`): widget values mapped to
 * inputs in `/object_info` order (the `control_after_generate` and upload companions skipped), links
 * resolved through `Reroute`s, `PrimitiveNode` values inlined, muted nodes left out (with the inputs
 * they fed), bypassed nodes bridged input-to-output by type, and subgraphs flattened to
 * `<instance id>:<inner id>` nodes.
 */
export function convertUiWorkflow(data: { nodes: unknown; links?: unknown; definitions?: unknown }, objectInfo: ObjectInfo): ConvertUiWorkflowResult {
  const definitions = new Map(((data.definitions as { subgraphs?: SubgraphDefinition[] } | undefined)?.subgraphs ?? []).map((d) => [d.id, d]));
  const workflow: ApiWorkflow = {};
  try {
    emitScope(scopeOf('', data.nodes, data.links), definitions, objectInfo, workflow, 0);
  } catch (error) {
    if (!(error instanceof ConversionError)) throw error;
    return { ok: false, problem: error.message, fix: error.message.includes('/object_info') ? 'install the custom node on the server, or remove the node' : 'export the workflow from ComfyUI with "Save (API)"' };
  }
  return { ok: true, workflow };
}

function scopeOf(prefix: string, nodes: unknown, links: unknown, parent?: Scope['parent']): Scope {
  const scope: Scope = { prefix, nodes: new Map(), links: new Map(), parent };
  for (const node of (Array.isArray(nodes) ? nodes : []) as UiNode[]) scope.nodes.set(String(node.id), node);
  for (const link of (Array.isArray(links) ? links : []) as Array<UiLinkArray | UiLinkObject | null>) {
    if (Array.isArray(link)) scope.links.set(link[0], { origin: String(link[1]), slot: link[2], target: String(link[3]), targetSlot: link[4] });
    else if (link && typeof link === 'object') scope.links.set(link.id, { origin: String(link.origin_id), slot: link.origin_slot, target: String(link.target_id), targetSlot: link.target_slot });
  }
  return scope;
}

function emitScope(scope: Scope, definitions: Map<string, SubgraphDefinition>, objectInfo: ObjectInfo, workflow: ApiWorkflow, depth: number): void {
  if (depth > 16) throw new ConversionError('subgraphs nest more than 16 deep (or contain themselves)');
  for (const node of scope.nodes.values()) {
    if (VIRTUAL_NODES.has(node.type) || node.mode === MUTED) continue;
    const definition = definitions.get(node.type);
    if (definition) {
      if (node.mode === BYPASSED) throw new ConversionError(`subgraph node ${scope.prefix}${node.id} is bypassed, which Kiln does not convert`);
      emitScope(childScope(scope, node, definition), definitions, objectInfo, workflow, depth + 1);
      continue;
    }
    if (node.mode === BYPASSED) continue;
    const info = objectInfo[node.type];
    if (!info) throw new ConversionError(`node ${scope.prefix}${node.id} is a ${node.type}, which the server does not have (not in /object_info)`);
    const inputs: Record<string, unknown> = { ...widgetInputs(node, info) };
    for (const input of node.inputs ?? []) {
      if (input.link === null || input.link === undefined) continue;
      const resolved = resolveLink(scope, input.link, definitions, new Set());
      if (resolved === undefined) delete inputs[input.name];
      else inputs[input.name] = resolved;
    }
    workflow[`${scope.prefix}${node.id}`] = { inputs, class_type: node.type, _meta: { title: node.title ?? info.display_name ?? node.type } };
  }
}

function childScope(scope: Scope, instance: UiNode, definition: SubgraphDefinition): Scope {
  return scopeOf(`${scope.prefix}${instance.id}:`, definition.nodes, definition.links, { scope, instance });
}

/** Widget name → value, pairing `widgets_values` with the widget inputs in `/object_info` order. */
function widgetInputs(node: UiNode, info: NodeInfo): Record<string, unknown> {
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

function orderedInputs(info: NodeInfo): Array<[string, readonly unknown[]]> {
  const entries: Array<[string, readonly unknown[]]> = [];
  for (const group of ['required', 'optional'] as const) {
    const specs = info.input?.[group] ?? {};
    const order = info.input_order?.[group] ?? Object.keys(specs);
    for (const name of order) if (specs[name]) entries.push([name, specs[name]]);
  }
  return entries;
}

/** The API value of a linked input: `[origin id, slot]`, a primitive's value, or undefined when its source is muted. */
function resolveLink(scope: Scope, linkId: number, definitions: Map<string, SubgraphDefinition>, seen: Set<string>): unknown {
  const key = `${scope.prefix}#${linkId}`;
  const link = scope.links.get(linkId);
  if (!link || seen.has(key)) return undefined;
  seen.add(key);
  if (link.origin === SUBGRAPH_INPUT) {
    // The subgraph's input N is whatever feeds input N of its instance, one level up.
    const outer = scope.parent?.instance.inputs?.[link.slot]?.link;
    return scope.parent && outer !== null && outer !== undefined ? resolveLink(scope.parent.scope, outer, definitions, seen) : undefined;
  }
  const origin = scope.nodes.get(link.origin);
  if (!origin || origin.mode === MUTED) return undefined;
  const definition = definitions.get(origin.type);
  if (definition) {
    // Output N of an instance is whatever its definition links to the output pseudo-node's slot N.
    const inner = childScope(scope, origin, definition);
    const feeding = [...inner.links.entries()].find(([, l]) => l.target === SUBGRAPH_OUTPUT && l.targetSlot === link.slot);
    return feeding ? resolveLink(inner, feeding[0], definitions, seen) : undefined;
  }
  if (origin.type === 'Reroute') {
    const next = origin.inputs?.[0]?.link;
    return next === null || next === undefined ? undefined : resolveLink(scope, next, definitions, seen);
  }
  if (origin.type === 'PrimitiveNode') {
    const value = Array.isArray(origin.widgets_values) ? origin.widgets_values[0] : undefined;
    return Array.isArray(value) ? { __value__: value } : value;
  }
  if (origin.mode === BYPASSED) {
    // A bypassed node passes the first input of the output's type straight through.
    const type = origin.outputs?.[link.slot]?.type;
    const through = origin.inputs?.find((input) => input.type === type && input.link !== null && input.link !== undefined);
    return through ? resolveLink(scope, through.link as number, definitions, seen) : undefined;
  }
  return [`${scope.prefix}${origin.id}`, link.slot];
}
