import { slugify } from '../naming/slugify';
import { isLink, type ApiWorkflow } from './api-workflow';
import { describeNode, linkSource, sortIds, withoutPrototype } from './graph-walk';

/** Image-output classes of stock ComfyUI; `SaveImageWebsocket` sends its images as WebSocket frames. */
const IMAGE_OUTPUT_CLASSES = ['SaveImage', 'PreviewImage', 'SaveImageWebsocket'];

/** One image-output node of a graph, and the name part its files get with `outputs: all`. */
interface OutputNode {
  id: string;
  classType: string;
  title?: string;
  /** Slug of `_meta.title` (of the id when titles collide or are missing). */
  slug: string;
}

/**
 * Every node of the graph that yields images: the stock classes, and any `Save…Image`/`Preview…Image`
 * class with an `images` link (custom savers). `/object_info`'s `output_node` flag is the full rule;
 * the server preflight knows it, an offline spec check does not.
 */
function findOutputNodes(graph: ApiWorkflow): OutputNode[] {
  const ids = sortIds(Object.keys(graph).filter((id) => {
    const node = graph[id];
    return IMAGE_OUTPUT_CLASSES.includes(node.class_type) || (/^(Save|Preview)\w*Image/.test(node.class_type) && isLink(node.inputs['images']));
  }));
  const titleSlugs = ids.map((id) => slugify(graph[id]._meta?.title ?? ''));
  return ids.map((id, i) => {
    const slug = titleSlugs[i] && titleSlugs.indexOf(titleSlugs[i]) === titleSlugs.lastIndexOf(titleSlugs[i]) ? titleSlugs[i] : slugify(`node-${id}`);
    return { id, classType: graph[id].class_type, title: graph[id]._meta?.title, slug };
  });
}

/** The outputs a job keeps: one node (plain names) or several (`<slug>.<node slug>.png`). */
export interface OutputChoice {
  nodes: Array<{ id: string; slug: string }>;
  /** Images per node the graph's first latent asks for (`batch_size`), for planned names; 1 when unknown. */
  batchSize: number;
}

export type ChooseOutputsResult = { ok: true; choice: OutputChoice } | { ok: false; problem: string; fix: string };

/**
 * Which image outputs a job keeps, from the spec's `output: <node id>` / `outputs: all` (or nothing,
 * which only a graph with a single image output allows). Never silently one of several.
 */
export function chooseOutputs(workflow: ApiWorkflow, choice: { output?: string; outputs?: 'all' }): ChooseOutputsResult {
  const graph = withoutPrototype(workflow);
  const nodes = findOutputNodes(graph);
  const listed = nodes.map((n) => describeNode(graph, n.id)).join('; ');
  let chosen: OutputNode[];
  if (nodes.length === 0) {
    return { ok: false, problem: 'has no image output node (SaveImage, PreviewImage, SaveImageWebsocket)', fix: 'add a SaveImage node to the workflow' };
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
  const socket = chosen.find((n) => n.classType === 'SaveImageWebsocket');
  if (socket) {
    return {
      ok: false,
      problem: `keeps ${describeNode(graph, socket.id)}, whose images arrive as WebSocket frames, which Kiln does not collect yet`,
      fix: 'replace it with a SaveImage node (or choose another output)',
    };
  }
  return { ok: true, choice: { nodes: chosen.map((n) => ({ id: n.id, slug: n.slug })), batchSize: latentBatchSize(graph) } };
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
