import { slugify } from '../naming/slugify';
import { isLink, type ApiWorkflow } from './api-workflow';
import { describeNode, linkSource, sortIds, withoutPrototype } from './graph-walk';

/** Image-output classes of stock ComfyUI; `SaveImageWebsocket` sends its images as WebSocket frames. */
const SOCKET_OUTPUT_CLASS = 'SaveImageWebsocket';
const IMAGE_OUTPUT_CLASSES = ['SaveImage', 'PreviewImage', SOCKET_OUTPUT_CLASS];

/** One image-output node of a graph, and the name part its files get with `outputs: all`. */
interface OutputNode {
  id: string;
  classType: string;
  title?: string;
  /** Slug of `_meta.title` (of the id when titles collide or are missing). */
  slug: string;
}

/** What output detection reads of `/object_info`: the `output_node` flag and the input types. */
export type OutputCatalogue = Record<string, { output_node?: boolean; input?: { required?: Record<string, readonly unknown[]>; optional?: Record<string, readonly unknown[]> } }>;

/**
 * Does this class yield images? With the server's catalogue: it is an `output_node` with an `IMAGE`
 * input (any custom saver). Offline, or for a class the catalogue lacks: the stock classes, and any
 * `Save…Image`/`Preview…Image` class with an `images` link.
 */
function yieldsImages(node: ApiWorkflow[string], catalogue: OutputCatalogue | undefined): boolean {
  const info = catalogue && Object.hasOwn(catalogue, node.class_type) ? catalogue[node.class_type] : undefined;
  if (info) {
    const inputs = [...Object.values(info.input?.required ?? {}), ...Object.values(info.input?.optional ?? {})];
    return info.output_node === true && inputs.some((spec) => Array.isArray(spec) && spec[0] === 'IMAGE');
  }
  return IMAGE_OUTPUT_CLASSES.includes(node.class_type) || (/^(Save|Preview)\w*Image/.test(node.class_type) && isLink(node.inputs['images']));
}

/** Every node of the graph that yields images (see {@link yieldsImages}). */
function findOutputNodes(graph: ApiWorkflow, catalogue: OutputCatalogue | undefined): OutputNode[] {
  const ids = sortIds(Object.keys(graph).filter((id) => yieldsImages(graph[id], catalogue)));
  const titleSlugs = ids.map((id) => slugify(graph[id]._meta?.title ?? ''));
  return ids.map((id, i) => {
    const slug = titleSlugs[i] && titleSlugs.indexOf(titleSlugs[i]) === titleSlugs.lastIndexOf(titleSlugs[i]) ? titleSlugs[i] : slugify(`node-${id}`);
    return { id, classType: graph[id].class_type, title: graph[id]._meta?.title, slug };
  });
}

/** The outputs a job keeps: one node (plain names) or several (`<slug>.<node slug>.png`). */
export interface OutputChoice {
  /** `socket`: the node's images come as binary WebSocket frames, not in the history (`SaveImageWebsocket`). */
  nodes: Array<{ id: string; slug: string; socket?: true }>;
  /** Images per node the graph's first latent asks for (`batch_size`), for planned names; 1 when unknown. */
  batchSize: number;
}

export type ChooseOutputsResult = { ok: true; choice: OutputChoice } | { ok: false; problem: string; fix: string };

/**
 * Which image outputs a job keeps, from the spec's `output: <node id>` / `outputs: all` (or nothing,
 * which only a graph with a single image output allows). Never silently one of several.
 */
export function chooseOutputs(workflow: ApiWorkflow, choice: { output?: string; outputs?: 'all' }, catalogue?: OutputCatalogue): ChooseOutputsResult {
  const graph = withoutPrototype(workflow);
  const nodes = findOutputNodes(graph, catalogue);
  const listed = nodes.map((n) => describeNode(graph, n.id)).join('; ');
  let chosen: OutputNode[];
  if (nodes.length === 0) {
    return {
      ok: false,
      problem: `has no image output node (SaveImage, PreviewImage, SaveImageWebsocket${catalogue ? ', or a node the server marks output_node with an IMAGE input' : ''})`,
      fix: 'add a SaveImage node to the workflow',
    };
  } else if (choice.output !== undefined) {
    const node = nodes.find((n) => n.id === choice.output);
    if (!node) return { ok: false, problem: `has no image output node "${choice.output}" (its image outputs: ${listed})`, fix: `use one of: ${nodes.map((n) => `output: "${n.id}"`).join(', ')}` };
    chosen = [node];
  } else if (choice.outputs === 'all' || nodes.length === 1) {
    chosen = nodes;
  } else {
    return {
      ok: false,
      problem: `has several image output nodes (${listed}) and the spec does not say which to keep`,
      fix: `add output: "<node id>" (${nodes.map((n) => `output: "${n.id}"`).join(' or ')}) or outputs: all`,
    };
  }
  const nodesOut = chosen.map((n) => ({ id: n.id, slug: n.slug, ...(n.classType === SOCKET_OUTPUT_CLASS ? { socket: true as const } : {}) }));
  return { ok: true, choice: { nodes: nodesOut, batchSize: latentBatchSize(graph) } };
}

/** `batch_size` of the latent the first sampler starts from, when the graph holds it as a number. */
function latentBatchSize(graph: ApiWorkflow): number {
  for (const id of sortIds(Object.keys(graph))) {
    const source = linkSource(graph, id, 'latent_image');
    const size = source ? graph[source.id].inputs['batch_size'] : undefined;
    if (typeof size === 'number' && Number.isInteger(size) && size >= 1) return size;
  }
  return 1;
}

/**
 * The file of each image a job yields, relative to the run's folder: `name.png` for one image;
 * `name-1.png`, `name-2.png`… for a batch; `name.<node slug>.png` (and `-k`) for several nodes.
 */
export function jobOutputNames(outputName: string, nodes: Array<{ id: string; slug: string }>, imagesPerNode: number[]): Array<{ nodeId: string; batchIndex: number; batchSize: number; name: string }> {
  const base = outputName.replace(/\.png$/i, '');
  const names: Array<{ nodeId: string; batchIndex: number; batchSize: number; name: string }> = [];
  nodes.forEach((node, i) => {
    const count = imagesPerNode[i] ?? 0;
    const nodePart = nodes.length > 1 ? `.${node.slug}` : '';
    for (let k = 0; k < count; k++) names.push({ nodeId: node.id, batchIndex: k, batchSize: count, name: `${base}${nodePart}${count > 1 ? `-${k + 1}` : ''}.png` });
  });
  return names;
}
