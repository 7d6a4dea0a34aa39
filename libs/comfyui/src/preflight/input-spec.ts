import type { NodeInfo } from '@kiln/job-orchestration';

/** One declared input of a node class, as `/object_info` describes it. */
export interface DeclaredInput {
  name: string;
  category: 'required' | 'optional';
  /** `"INT"`, `"MODEL"`, `"COMBO"`…, or the legacy combo's choice list. */
  type: unknown;
  options: Record<string, unknown>;
}

/** Required then optional inputs of a class (hidden ones are filled by the server). */
export function declaredInputs(info: NodeInfo): DeclaredInput[] {
  const inputs: DeclaredInput[] = [];
  for (const category of ['required', 'optional'] as const) {
    for (const [name, spec] of Object.entries(info.input?.[category] ?? {})) {
      if (!Array.isArray(spec)) continue;
      const options = spec[1];
      inputs.push({ name, category, type: spec[0], options: typeof options === 'object' && options !== null && !Array.isArray(options) ? (options as Record<string, unknown>) : {} });
    }
  }
  return inputs;
}

/**
 * The choices of a COMBO input in either form: legacy `[[choices…], {…}]` or `["COMBO", {options}]`.
 * Undefined when the input is not a COMBO, or its choices are not known up front (`remote` combos
 * are filled by the browser, multiselect ones take lists).
 */
export function comboChoices(input: DeclaredInput): unknown[] | undefined {
  if (Array.isArray(input.type)) return input.type;
  if (input.type !== 'COMBO' || input.options['remote'] !== undefined || input.options['multiselect'] === true) return undefined;
  return Array.isArray(input.options['options']) ? input.options['options'] : [];
}
