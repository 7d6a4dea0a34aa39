/**
 * The `traceback.format_tb` frames of ComfyUI 0.3.64's `execution.py` (Python 3.11, installed at
 * /opt/ComfyUI) for the exceptions `validate_inputs` can raise, as captured from a real server
 * (post_prompt_link_to_missing_node_400 and its neighbours in the fixtures).
 */
const frame = (line: number, fn: string, code: string, marks: string): string =>
  `  File "/opt/ComfyUI/execution.py", line ${line}, in ${fn}\n    ${code}\n    ${marks}\n`;

/** Where in `validate_inputs` an exception was raised. */
export const RAISED_AT = {
  /** `inputs = prompt[unique_id]['inputs']`: a node without `inputs`. */
  nodeInputs: frame(730, 'validate_inputs', "inputs = prompt[unique_id]['inputs']", '         ~~~~~~~~~~~~~~~~~^^^^^^^^^^'),
  /** `o_class_type = prompt[o_id]['class_type']`: a link to a node not in the prompt, or an unhashable id. */
  linkedNode: frame(788, 'validate_inputs', "o_class_type = prompt[o_id]['class_type']", '               ~~~~~~^^^^^^'),
  /** `received_type = r[val[1]]`: a link to an output slot the node lacks, or a slot that is no int. */
  linkedSlot: frame(790, 'validate_inputs', 'received_type = r[val[1]]', '                ~^^^^^^^^'),
} as const;

/** The frame that caught it: `validate_prompt` for an output node, `validate_inputs` for an inner one. */
const CAUGHT_IN = {
  output: frame(1010, 'validate_prompt', 'm = await validate_inputs(prompt_id, prompt, o, validated)', '    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^'),
  inner: frame(808, 'validate_inputs', 'r = await validate_inputs(prompt_id, prompt, o_id, validated)', '    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^'),
} as const;

/** The traceback ComfyUI reports: the catching frame, then where the exception was raised (when known). */
export function validationTraceback(caughtIn: keyof typeof CAUGHT_IN, raisedAt: readonly string[]): string[] {
  return [CAUGHT_IN[caughtIn], ...raisedAt];
}
