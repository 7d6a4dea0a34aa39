/**
 * What ComfyUI would refuse in a workflow, found before it is posted. Codes follow ComfyUI's own
 * error types where one exists (`execution.py` `validate_inputs`), so a problem reads the same as
 * the server's 400 would.
 */
type PreflightProblemCode =
  /** A node without `class_type`. */
  | 'missing_class_type'
  /** A `class_type` the server does not have: a custom node that needs installing there. */
  | 'missing_node_class'
  /** No node of the workflow is an output node (SaveImage, PreviewImage…). */
  | 'prompt_no_outputs'
  | 'required_input_missing'
  /** A link that is not `[node id, output slot]`, names a node not in the workflow, or a slot the node lacks. */
  | 'bad_linked_input'
  | 'return_type_mismatch'
  | 'invalid_input_type'
  | 'value_smaller_than_min'
  | 'value_bigger_than_max'
  /** A COMBO value (model file, sampler, scheduler, input image…) the server does not offer. */
  | 'value_not_in_list';

/** One problem of one node of one workflow, against one server's catalogue. */
export interface PreflightProblem {
  code: PreflightProblemCode;
  nodeId: string;
  /** The node's `class_type`, when it has one. */
  classType?: string;
  /** `_meta.title`, when the workflow gives one. */
  title?: string;
  input?: string;
  /** The value the workflow holds for `input`. */
  value?: unknown;
  /** For `value_not_in_list`: the options the server offers closest to `value`, closest first (at most 20). */
  choices?: string[];
  /** For `value_not_in_list`: how many options the server offers in all. */
  offered?: number;
  /** For `value_not_in_list` on a model input: the model folder, e.g. `loras`. */
  folder?: string;
  /** What is wrong, without the node (see {@link describeProblem}). */
  message: string;
}

/**
 * One line for people: `node 10 LoraLoader "Detail" input lora_name: 'x.safetensors' is not offered
 * by the server (loras); closest: a.safetensors, b.safetensors and 7 more`.
 */
export function describeProblem(problem: PreflightProblem): string {
  const title = problem.title && problem.title !== problem.classType ? ` "${problem.title}"` : '';
  const node = `node ${problem.nodeId}${problem.classType ? ` ${problem.classType}` : ''}${title}`;
  const input = problem.input ? ` input ${problem.input}` : '';
  let text = `${node}${input}: ${problem.message}`;
  if (problem.choices) {
    const more = (problem.offered ?? problem.choices.length) - problem.choices.length;
    text += problem.choices.length ? `; closest: ${problem.choices.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '; the server offers none';
  }
  return text;
}
