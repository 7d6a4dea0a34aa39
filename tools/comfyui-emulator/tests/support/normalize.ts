/**
 * Makes run-specific values comparable: prompt ids (mapped to the captured ones), timestamps,
 * PreviewImage's random letters and set-ordered lists.
 */
export function normalize(value: unknown, idMap: Record<string, string> = {}): unknown {
  if (typeof value === 'string') {
    const mapped = idMap[value] ?? value;
    return mapped.replace(/ComfyUI_temp_[a-z]{5}_/, 'ComfyUI_temp_xxxxx_');
  }
  if (Array.isArray(value)) return value.map((item) => normalize(item, idMap));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const mappedKey = idMap[key] ?? key;
      if (key === 'timestamp') out[mappedKey] = 0;
      else if (key === 'current_outputs' && Array.isArray(item)) out[mappedKey] = [...item].sort();
      else out[mappedKey] = normalize(item, idMap);
    }
    return out;
  }
  return value;
}
