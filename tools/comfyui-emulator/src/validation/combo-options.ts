/**
 * The choices of a COMBO input, in either form /object_info shows: legacy `[[...choices], {...}]`
 * or new-style `["COMBO", {"options": [...]}]` (`execution.py` reads `extra_info.get("options", [])`).
 * Undefined when the input is not a COMBO.
 */
export function comboOptions(inputType: unknown, extraInfo: Record<string, unknown>): unknown[] | undefined {
  if (Array.isArray(inputType)) return inputType;
  if (inputType !== 'COMBO') return undefined;
  return Array.isArray(extraInfo.options) ? extraInfo.options : [];
}
