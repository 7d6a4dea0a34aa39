/** ComfyUI's error dict: `{type, message, details, extra_info}`. */
export interface ComfyUiError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

/** One `node_errors` entry of a /prompt reply. */
export interface NodeErrorEntry {
  errors: ComfyUiError[];
  dependent_outputs: string[];
  class_type: unknown;
}

export function comfyUiError(
  type: string,
  message: string,
  details = '',
  extraInfo: Record<string, unknown> = {},
): ComfyUiError {
  return { type, message, details, extra_info: extraInfo };
}
