import { isLink, type ApiWorkflow, type WorkflowParam } from './api-workflow';
import { describeNode, sortIds } from './graph-walk';

// Input names a parameter can live in, and the kind of literal it holds there.
const CANDIDATE_INPUTS: Record<WorkflowParam, { inputs: string[]; kind: 'string' | 'number' }> = {
  prompt: { inputs: ['text', 'text_g', 'text_l', 'clip_l', 'clip_g', 't5xxl', 'value'], kind: 'string' },
  negative_prompt: { inputs: ['text', 'text_g', 'text_l', 'clip_l', 'clip_g', 't5xxl', 'value'], kind: 'string' },
  checkpoint: { inputs: ['ckpt_name'], kind: 'string' },
  width: { inputs: ['width'], kind: 'number' },
  height: { inputs: ['height'], kind: 'number' },
  steps: { inputs: ['steps'], kind: 'number' },
  cfg: { inputs: ['cfg'], kind: 'number' },
  sampler: { inputs: ['sampler_name'], kind: 'string' },
  scheduler: { inputs: ['scheduler'], kind: 'string' },
  seed: { inputs: ['seed', 'noise_seed'], kind: 'number' },
  denoise: { inputs: ['denoise'], kind: 'number' },
  image: { inputs: ['image'], kind: 'string' },
  mask: { inputs: ['image'], kind: 'string' },
  filename_prefix: { inputs: ['filename_prefix'], kind: 'string' },
};

/** Every literal input of the graph that could receive `param`, with the node it is on. */
function bindCandidates(graph: ApiWorkflow, param: WorkflowParam): Array<{ path: string; node: string }> {
  const { inputs, kind } = CANDIDATE_INPUTS[param];
  const found: Array<{ path: string; node: string }> = [];
  for (const id of sortIds(Object.keys(graph))) {
    const node = graph[id];
    for (const input of inputs) {
      const value = node.inputs[input];
      if (value === undefined || isLink(value) || typeof value !== kind) continue;
      // `value` is only a string node's text when the node has nothing else to say.
      if (input === 'value' && !/^Primitive(String|StringMultiline)$/.test(node.class_type)) continue;
      found.push({ path: `${id}.inputs.${input}`, node: describeNode(graph, id) });
    }
  }
  return found;
}

/**
 * The fix for a parameter that cannot be placed: the nodes that could take it and the exact
 * `bind:` line for each, ready to paste under `bindAt`.
 */
export function bindFix(graph: ApiWorkflow, param: WorkflowParam, bindAt: string): string {
  const candidates = bindCandidates(graph, param);
  if (candidates.length === 0) return `the workflow has no input that can take ${param} (add a node for it to the workflow)`;
  const lines = candidates.map((c) => `${param}: "${c.path}"   # ${c.node}`);
  const several = candidates.length > 1 ? `; or several at once: ${param}: [${candidates.map((c) => `"${c.path}"`).join(', ')}]` : '';
  return `paste under ${bindAt}: ${lines.length > 1 ? 'one of\n      ' : ''}${lines.join('\n      ')}${several}`;
}
