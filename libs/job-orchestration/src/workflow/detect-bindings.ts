import { isLink, type ApiWorkflow, type WorkflowBindings, type WorkflowParam } from './api-workflow';

/** A parameter auto-detection could not place, and why. */
export interface UnplacedParam {
  param: WorkflowParam;
  reason: string;
}

/** Result of {@link detectWorkflowBindings}: what was placed and what was not. */
export interface DetectedBindings {
  bindings: WorkflowBindings;
  unplaced: UnplacedParam[];
}

const KSAMPLER_INPUTS: Array<[WorkflowParam, string]> = [
  ['seed', 'seed'], ['steps', 'steps'], ['cfg', 'cfg'], ['sampler', 'sampler_name'], ['scheduler', 'scheduler'],
  ['denoise', 'denoise'],
];

/**
 * Finds where each parameter goes in a user workflow by node class: the KSampler's seed/steps/cfg/
 * sampler/scheduler/denoise, CheckpointLoaderSimple's ckpt_name, the CLIPTextEncode nodes feeding the
 * KSampler's positive/negative, the EmptyLatentImage size, LoadImage's image and SaveImage's prefix.
 * Ambiguity (two KSamplers…) is reported as unplaced rather than guessed.
 */
export function detectWorkflowBindings(graph: ApiWorkflow): DetectedBindings {
  const bindings: WorkflowBindings = {};
  const unplaced: UnplacedParam[] = [];
  const place = (param: WorkflowParam, nodeId: string, input: string, what: string) => {
    const node = graph[nodeId];
    if (!(input in node.inputs)) unplaced.push({ param, reason: `${what} "${nodeId}" has no "${input}" input` });
    else if (isLink(node.inputs[input])) unplaced.push({ param, reason: `${what} "${nodeId}" gets "${input}" from another node` });
    else bindings[param] = `${nodeId}.inputs.${input}`;
  };
  const single = (classType: string, params: WorkflowParam[], use: (id: string) => void) => {
    const ids = nodesOfClass(graph, classType);
    if (ids.length === 1) use(ids[0]);
    else {
      const reason = ids.length === 0 ? `the workflow has no ${classType} node` : `the workflow has several ${classType} nodes (${ids.join(', ')})`;
      for (const param of params) unplaced.push({ param, reason });
    }
  };

  single('KSampler', [...KSAMPLER_INPUTS.map(([param]) => param), 'prompt', 'negative_prompt'], (sampler) => {
    for (const [param, input] of KSAMPLER_INPUTS) place(param, sampler, input, 'KSampler');
    for (const [param, input] of [['prompt', 'positive'], ['negative_prompt', 'negative']] as const) {
      const source = linkedNode(graph, sampler, input);
      if (source && graph[source].class_type === 'CLIPTextEncode') place(param, source, 'text', 'CLIPTextEncode');
      else unplaced.push({ param, reason: `the KSampler's ${input} input does not come from a CLIPTextEncode node` });
    }
  });
  single('CheckpointLoaderSimple', ['checkpoint'], (id) => place('checkpoint', id, 'ckpt_name', 'CheckpointLoaderSimple'));

  const latentSources = nodesOfClass(graph, 'KSampler')
    .map((id) => linkedNode(graph, id, 'latent_image'))
    .filter((id): id is string => id !== undefined && graph[id].class_type === 'EmptyLatentImage');
  if (new Set(latentSources).size === 1) {
    place('width', latentSources[0], 'width', 'EmptyLatentImage');
    place('height', latentSources[0], 'height', 'EmptyLatentImage');
  } else {
    single('EmptyLatentImage', ['width', 'height'], (id) => {
      place('width', id, 'width', 'EmptyLatentImage');
      place('height', id, 'height', 'EmptyLatentImage');
    });
  }
  single('LoadImage', ['image'], (id) => place('image', id, 'image', 'LoadImage'));

  // Several SaveImage nodes are fine: the payload builder gives each its own unique prefix.
  const saves = nodesOfClass(graph, 'SaveImage');
  if (saves.length === 0) unplaced.push({ param: 'filename_prefix', reason: 'the workflow has no SaveImage node' });
  else place('filename_prefix', saves[0], 'filename_prefix', 'SaveImage');

  return { bindings, unplaced };
}

/** Ids of nodes of one class, in numeric-then-lexical id order. */
export function nodesOfClass(graph: ApiWorkflow, classType: string): string[] {
  return Object.keys(graph)
    .filter((id) => graph[id].class_type === classType)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function linkedNode(graph: ApiWorkflow, nodeId: string, input: string): string | undefined {
  const value = graph[nodeId].inputs[input];
  return isLink(value) && graph[value[0]] ? value[0] : undefined;
}
