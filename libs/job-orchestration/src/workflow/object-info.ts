/** One input spec: `[type, options?]`; legacy combos put the choice list in the type slot. */
type NodeInputSpec = readonly unknown[];

/**
 * One node class from ComfyUI's `/object_info`. The one definition Kiln has: UI-format conversion
 * reads it here, the ComfyUI pack's preflight and model lists read it through this package.
 */
export interface NodeInfo {
  input: {
    required?: Record<string, NodeInputSpec>;
    optional?: Record<string, NodeInputSpec>;
    hidden?: Record<string, unknown>;
  };
  /** Input names in widget order (newer servers); older ones rely on the key order of `input`. */
  input_order?: { required?: readonly string[]; optional?: readonly string[] };
  output?: string[];
  output_name?: string[];
  name: string;
  display_name?: string;
  category?: string;
  output_node?: boolean;
  [key: string]: unknown;
}

/** `/object_info` (class → definition) or `/object_info/{class}` (an unknown class gives `{}`). */
export type ObjectInfo = Record<string, NodeInfo>;
