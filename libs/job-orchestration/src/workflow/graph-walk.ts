import { isLink, type ApiWorkflow } from './api-workflow';

/**
 * The graph with no prototype: a link to "__proto__" or "constructor" finds no node instead of
 * Object.prototype. Walks start from this copy.
 */
export function withoutPrototype(graph: ApiWorkflow): ApiWorkflow {
  return Object.assign(Object.create(null) as ApiWorkflow, graph);
}

/** `3 KSampler "KSampler (first pass)"`: how a node is named in messages (id, class, `_meta.title`). */
export function describeNode(graph: ApiWorkflow, id: string): string {
  const node = graph[id];
  if (!node) return `${id} (missing)`;
  const title = node._meta?.title;
  return title && title !== node.class_type ? `${id} ${node.class_type} "${title}"` : `${id} ${node.class_type}`;
}

/** The node a linked input comes from, with the output index; undefined for a literal or a dangling link. */
export function linkSource(graph: ApiWorkflow, nodeId: string, input: string): { id: string; output: number } | undefined {
  const value = graph[nodeId]?.inputs[input];
  return isLink(value) && graph[value[0]] ? { id: value[0], output: value[1] } : undefined;
}

/** Ids of nodes of one class, in numeric-then-lexical id order (`57:3` after `9`, `10` after `9`). */
export function nodesOfClass(graph: ApiWorkflow, ...classTypes: string[]): string[] {
  return sortIds(Object.keys(graph).filter((id) => classTypes.includes(graph[id].class_type)));
}

export function sortIds(ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * Where the literal value of `nodeId.inputs[input]` lives: the input itself when it holds a literal
 * of the kind, or the one literal of that kind on a node that feeds it (a `PrimitiveString`, a
 * `PrimitiveInt`, a seed node…). Undefined with the reason when there is no single place.
 */
export function literalPlace(
  graph: ApiWorkflow,
  nodeId: string,
  input: string,
  kind: 'string' | 'number',
): { path: string } | { problem: string } {
  const value = graph[nodeId]?.inputs[input];
  if (value === undefined) return { problem: `${describeNode(graph, nodeId)} has no "${input}" input` };
  if (!isLink(value)) {
    return typeof value === kind ? { path: `${nodeId}.inputs.${input}` } : { problem: `${describeNode(graph, nodeId)} holds no ${kind} in "${input}"` };
  }
  const source = value[0];
  if (!graph[source]) return { problem: `${describeNode(graph, nodeId)} takes "${input}" from a node the workflow does not have (${source})` };
  const literals = Object.entries(graph[source].inputs).filter(([, v]) => typeof v === kind && !isLink(v));
  const linked = Object.values(graph[source].inputs).some(isLink);
  if (literals.length === 1 && !linked) return { path: `${source}.inputs.${literals[0][0]}` };
  return { problem: `${describeNode(graph, nodeId)} takes "${input}" from ${describeNode(graph, source)}, which computes it` };
}
