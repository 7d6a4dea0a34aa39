import { isLink, type ApiWorkflow, type WorkflowParam } from './api-workflow';
import { describeNode, linkSource, literalPlace, nodesOfClass, sortIds, withoutPrototype } from './graph-walk';

/** A parameter the graph walk could not place, and why. */
export interface UnplacedParam {
  param: WorkflowParam;
  reason: string;
}

/** Result of {@link placeWorkflowParams}: every place of each parameter, and what could not be placed. */
export interface WorkflowPlacement {
  /** Param → every `"<node id>.inputs.<input>"` that receives it (a prompt goes to every encoder of its side). */
  bindings: Partial<Record<WorkflowParam, string[]>>;
  unplaced: UnplacedParam[];
  /** Set when every negative ends in ConditioningZeroOut: the workflow has no negative prompt. */
  noNegative?: string;
}

const SAMPLERS = ['KSampler', 'KSamplerAdvanced', 'SamplerCustom', 'SamplerCustomAdvanced'];
const CHECKPOINT_LOADERS = ['CheckpointLoaderSimple', 'CheckpointLoader', 'ImageOnlyCheckpointLoader', 'unCLIPCheckpointLoader'];

/** Text encoders and the text inputs each takes: every one of them gets the prompt of its side. */
const ENCODERS: Record<string, string[]> = {
  CLIPTextEncode: ['text'],
  CLIPTextEncodeSDXL: ['text_g', 'text_l'],
  CLIPTextEncodeSDXLRefiner: ['text'],
  CLIPTextEncodeFlux: ['clip_l', 't5xxl'],
  CLIPTextEncodeSD3: ['clip_l', 'clip_g', 't5xxl'],
  CLIPTextEncodeHunyuanDiT: ['bert', 'mt5xl'],
};

// Sampling settings: the input on the sampler itself, else on the node linked through one of `via`.
const SETTINGS: Array<[WorkflowParam, string, 'string' | 'number', string[]]> = [
  ['steps', 'steps', 'number', ['sigmas']],
  ['cfg', 'cfg', 'number', ['guider']],
  ['sampler', 'sampler_name', 'string', ['sampler']],
  ['scheduler', 'scheduler', 'string', ['sigmas']],
  ['denoise', 'denoise', 'number', ['sigmas']],
];

/**
 * Finds where each parameter goes by following links from the sampling nodes back to where each
 * value lives (see the README's table): the seed on every sampler that adds noise, sampling settings
 * on the first pass, prompts on every text encoder reached through conditioning pass-through nodes,
 * the size on the first sampler's latent source. Ambiguity is reported as unplaced, never guessed.
 */
export function placeWorkflowParams(workflow: ApiWorkflow): WorkflowPlacement {
  const graph = withoutPrototype(workflow);
  const placement: WorkflowPlacement = { bindings: {}, unplaced: [] };
  const samplers = findSamplers(graph);
  const place = (param: WorkflowParam, paths: string[]) => {
    placement.bindings[param] = [...new Set(paths)];
  };
  const unplace = (param: WorkflowParam, reason: string) => placement.unplaced.push({ param, reason });

  if (samplers.length === 0) {
    for (const param of ['seed', 'steps', 'cfg', 'sampler', 'scheduler', 'denoise', 'prompt', 'negative_prompt', 'width', 'height'] as const) {
      unplace(param, `the workflow has no sampling node (${SAMPLERS.join(', ')})`);
    }
  } else {
    placeSeed(graph, samplers, place, unplace);
    placeSettings(graph, samplers, place, unplace);
    placePrompts(graph, samplers, placement, place, unplace);
    placeSize(graph, samplers, place, unplace);
  }
  placeSingle(graph, 'checkpoint', CHECKPOINT_LOADERS, 'ckpt_name', place, unplace);
  placeSingle(graph, 'image', ['LoadImage'], 'image', place, unplace);
  placeSingle(graph, 'mask', ['LoadImageMask'], 'image', place, unplace);

  const saves = nodesOfClass(graph, 'SaveImage');
  if (saves.length === 0) unplace('filename_prefix', 'the workflow has no SaveImage node');
  else place('filename_prefix', [`${saves[0]}.inputs.filename_prefix`]);
  return placement;
}

interface Sampler {
  id: string;
  /** Samplers whose latent feeds this one (directly or through decode/encode/upscale): none for a first pass. */
  upstream: string[];
}

function findSamplers(graph: ApiWorkflow): Sampler[] {
  const ids = sortIds(Object.keys(graph).filter((id) => isSampler(graph, id)));
  return ids.map((id) => ({ id, upstream: upstreamSamplers(graph, id) }));
}

function isSampler(graph: ApiWorkflow, id: string): boolean {
  const node = graph[id];
  return SAMPLERS.includes(node.class_type) || ('latent_image' in node.inputs && ('positive' in node.inputs || 'guider' in node.inputs));
}

function upstreamSamplers(graph: ApiWorkflow, id: string): string[] {
  const found = new Set<string>();
  const seen = new Set<string>([id]);
  const queue = [graph[id].inputs['latent_image']];
  while (queue.length) {
    const value = queue.shift();
    if (!isLink(value) || seen.has(value[0]) || !graph[value[0]]) continue;
    seen.add(value[0]);
    if (isSampler(graph, value[0])) found.add(value[0]);
    // Only image and latent paths lead to an earlier pass; models and conditioning never do.
    for (const [input, v] of Object.entries(graph[value[0]].inputs)) {
      if (!['model', 'clip', 'vae', 'positive', 'negative', 'conditioning'].includes(input)) queue.push(v);
    }
  }
  return sortIds(found);
}

type Place = (param: WorkflowParam, paths: string[]) => void;
type Unplace = (param: WorkflowParam, reason: string) => void;

/** The seed input of a sampler that adds noise; null when it adds none (a refiner's second half). */
function seedPlace(graph: ApiWorkflow, id: string): { path: string } | { problem: string } | null {
  const node = graph[id];
  switch (node.class_type) {
    case 'KSampler':
      return literalPlace(graph, id, 'seed', 'number');
    case 'KSamplerAdvanced':
      return node.inputs['add_noise'] === 'disable' ? null : literalPlace(graph, id, 'noise_seed', 'number');
    case 'SamplerCustom':
      return node.inputs['add_noise'] === false ? null : literalPlace(graph, id, 'noise_seed', 'number');
    case 'SamplerCustomAdvanced': {
      const noise = linkSource(graph, id, 'noise');
      if (!noise) return { problem: `${describeNode(graph, id)} has no noise node` };
      if (graph[noise.id].class_type === 'DisableNoise') return null;
      return literalPlace(graph, noise.id, 'noise_seed', 'number');
    }
    default:
      if ('seed' in node.inputs) return literalPlace(graph, id, 'seed', 'number');
      if ('noise_seed' in node.inputs) return literalPlace(graph, id, 'noise_seed', 'number');
      return { problem: `${describeNode(graph, id)} is a sampling node Kiln does not know the seed of` };
  }
}

function placeSeed(graph: ApiWorkflow, samplers: Sampler[], place: Place, unplace: Unplace): void {
  const paths: string[] = [];
  for (const sampler of samplers) {
    const found = seedPlace(graph, sampler.id);
    if (found === null) continue;
    // A seed Kiln cannot set on one noisy pass would make the recorded seed a lie: all or nothing.
    if ('problem' in found) return unplace('seed', found.problem);
    paths.push(found.path);
  }
  if (paths.length === 0) return unplace('seed', `no sampling node adds noise (${samplers.map((s) => describeNode(graph, s.id)).join('; ')})`);
  place('seed', paths);
}

function firstPass(graph: ApiWorkflow, samplers: Sampler[]): { id: string } | { problem: string } {
  const first = samplers.filter((s) => s.upstream.length === 0);
  if (first.length === 1) return { id: first[0].id };
  return { problem: `the workflow has several independent sampling nodes (${first.map((s) => describeNode(graph, s.id)).join('; ')})` };
}

function placeSettings(graph: ApiWorkflow, samplers: Sampler[], place: Place, unplace: Unplace): void {
  const first = firstPass(graph, samplers);
  for (const [param, input, kind, via] of SETTINGS) {
    if ('problem' in first) {
      unplace(param, first.problem);
      continue;
    }
    const found = settingPlace(graph, first.id, input, kind, via);
    if ('path' in found) place(param, [found.path]);
    else unplace(param, found.problem);
  }
}

function settingPlace(graph: ApiWorkflow, sampler: string, input: string, kind: 'string' | 'number', via: string[]): { path: string } | { problem: string } {
  if (input in graph[sampler].inputs) return literalPlace(graph, sampler, input, kind);
  for (const link of via) {
    const source = linkSource(graph, sampler, link);
    if (source && input in graph[source.id].inputs) return literalPlace(graph, source.id, input, kind);
    if (source) return { problem: `the first sampling node ${describeNode(graph, sampler)} takes its ${link} from ${describeNode(graph, source.id)}, which has no "${input}"` };
  }
  return { problem: `the first sampling node ${describeNode(graph, sampler)} has no "${input}"` };
}

interface ConditioningWalk {
  encoders: Set<string>;
  zeroed: Set<string>;
  unknown: Set<string>;
}

/** Roots of one side of a sampler: its own positive/negative, or those of its guider. */
function conditioningRoots(graph: ApiWorkflow, sampler: string, side: 'positive' | 'negative'): Array<[string, number]> {
  const roots: Array<[string, number]> = [];
  const add = (id: string, input: string) => {
    const value = graph[id].inputs[input];
    if (isLink(value) && graph[value[0]]) roots.push(value);
  };
  if (side in graph[sampler].inputs) add(sampler, side);
  const guider = linkSource(graph, sampler, 'guider');
  if (guider) {
    const inputs = graph[guider.id].inputs;
    if (side in inputs) add(guider.id, side);
    if (side === 'positive') for (const input of ['conditioning', 'cond1', 'cond2']) if (input in inputs) add(guider.id, input);
  }
  return roots;
}

function walkConditioning(graph: ApiWorkflow, roots: Array<[string, number]>): ConditioningWalk {
  const walk: ConditioningWalk = { encoders: new Set(), zeroed: new Set(), unknown: new Set() };
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const [id, output] = queue.shift() as [string, number];
    if (seen.has(`${id}/${output}`)) continue;
    seen.add(`${id}/${output}`);
    const node = graph[id];
    if (!node) continue;
    if (ENCODERS[node.class_type]) {
      walk.encoders.add(id);
      continue;
    }
    if (node.class_type === 'ConditioningZeroOut') {
      walk.zeroed.add(id);
      continue;
    }
    const follow = (input: string) => {
      const value = node.inputs[input];
      if (isLink(value)) queue.push(value);
    };
    // ControlNetApplyAdvanced and its kin pass positive and negative through as outputs 0 and 1.
    if ('positive' in node.inputs && 'negative' in node.inputs) {
      follow(output === 0 ? 'positive' : 'negative');
      continue;
    }
    const conditioningInputs = Object.keys(node.inputs).filter((input) => /^(conditioning|cond)(_\w+|\d)?$/.test(input) && isLink(node.inputs[input]));
    if (conditioningInputs.length === 0) walk.unknown.add(id);
    conditioningInputs.forEach(follow);
  }
  return walk;
}

function placePrompts(graph: ApiWorkflow, samplers: Sampler[], placement: WorkflowPlacement, place: Place, unplace: Unplace): void {
  const positive = walkConditioning(graph, samplers.flatMap((s) => conditioningRoots(graph, s.id, 'positive')));
  const negativeRoots = samplers.flatMap((s) => conditioningRoots(graph, s.id, 'negative'));
  const negative = walkConditioning(graph, negativeRoots);
  if (negativeRoots.length === 0) {
    // Flux's BasicGuider takes one conditioning: there is no negative side at all.
    placement.noNegative = `no sampling node or guider takes a negative conditioning (${samplers.map((s) => describeNode(graph, s.id)).join('; ')}): the workflow has no negative prompt`;
  }
  const shared = [...positive.encoders].filter((id) => negative.encoders.has(id));
  const sides: Array<[WorkflowParam, ConditioningWalk, string]> = [['prompt', positive, 'positive'], ['negative_prompt', negative, 'negative']];
  for (const [param, walk, side] of sides) {
    if (shared.length) {
      unplace(param, `text encoder ${shared.map((id) => describeNode(graph, id)).join('; ')} feeds both the positive and the negative side`);
      continue;
    }
    if (walk.unknown.size) {
      unplace(param, `the ${side} conditioning passes through ${[...walk.unknown].map((id) => describeNode(graph, id)).join('; ')}, which Kiln cannot follow to a text encoder`);
      continue;
    }
    if (walk.encoders.size === 0) {
      if (side === 'negative' && placement.noNegative) {
        unplace(param, placement.noNegative);
      } else if (side === 'negative' && walk.zeroed.size) {
        placement.noNegative = `the negative conditioning ends in ConditioningZeroOut (${[...walk.zeroed].map((id) => describeNode(graph, id)).join('; ')}): the workflow has no negative prompt`;
        unplace(param, placement.noNegative);
      } else {
        unplace(param, `no text encoder (${Object.keys(ENCODERS).join(', ')}) is reached from the ${side} input of the sampling nodes`);
      }
      continue;
    }
    const paths: string[] = [];
    const problems: string[] = [];
    for (const id of sortIds(walk.encoders)) {
      for (const input of ENCODERS[graph[id].class_type]) {
        const found = literalPlace(graph, id, input, 'string');
        if ('path' in found) paths.push(found.path);
        else problems.push(found.problem);
      }
    }
    if (problems.length) unplace(param, problems.join('; '));
    else place(param, paths);
  }
}

function placeSize(graph: ApiWorkflow, samplers: Sampler[], place: Place, unplace: Unplace): void {
  const first = firstPass(graph, samplers);
  if ('problem' in first) {
    unplace('width', first.problem);
    unplace('height', first.problem);
    return;
  }
  const source = linkSource(graph, first.id, 'latent_image');
  for (const param of ['width', 'height'] as const) {
    if (!source) {
      unplace(param, `the first sampling node ${describeNode(graph, first.id)} has no linked latent_image`);
      continue;
    }
    const found = literalPlace(graph, source.id, param, 'number');
    if ('problem' in found) {
      unplace(param, `the first sampling node ${describeNode(graph, first.id)} takes its latent from ${describeNode(graph, source.id)}, which has no ${param} of its own (the size comes from its input)`);
      continue;
    }
    // Flux's ModelSamplingFlux shifts by the image size: keep it equal to the latent's.
    const flux = nodesOfClass(graph, 'ModelSamplingFlux').filter((id) => typeof graph[id].inputs[param] === 'number');
    place(param, [found.path, ...flux.map((id) => `${id}.inputs.${param}`)]);
  }
}

function placeSingle(graph: ApiWorkflow, param: WorkflowParam, classes: string[], input: string, place: Place, unplace: Unplace): void {
  const ids = nodesOfClass(graph, ...classes);
  if (ids.length === 1) {
    const found = literalPlace(graph, ids[0], input, 'string');
    if ('path' in found) place(param, [found.path]);
    else unplace(param, found.problem);
  } else if (ids.length === 0) {
    unplace(param, `the workflow has no ${classes.join(' or ')} node`);
  } else {
    unplace(param, `the workflow has several ${classes.join('/')} nodes (${ids.map((id) => describeNode(graph, id)).join('; ')}): bind each explicitly`);
  }
}
