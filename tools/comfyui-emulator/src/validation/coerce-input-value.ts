import { PythonFloat, pyFloat, pyInt, pyStr, pyTruthy } from '../python/python-values';

/**
 * The conversion `validate_inputs` applies before range/combo checks (`int()`, `float()`, `str()`,
 * `bool()`); other types pass through. Throws PythonException when Python would raise.
 */
export function coerceInputValue(inputType: unknown, value: unknown): unknown {
  if (inputType === 'INT') return pyInt(value);
  if (inputType === 'FLOAT') return pyFloat(value);
  if (inputType === 'STRING') return pyStr(value);
  if (inputType === 'BOOLEAN') return pyTruthy(value);
  return value;
}

/** Python `==` for the scalars a combo list holds (1 == 1.0 == True). */
export function pyEquals(a: unknown, b: unknown): boolean {
  const numeric = (v: unknown) =>
    typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof PythonFloat;
  if (numeric(a) && numeric(b)) {
    const toNumber = (v: unknown) => (v instanceof PythonFloat ? v.value : Number(v));
    return toNumber(a) === toNumber(b);
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => pyEquals(v, b[i]));
  return a === b;
}
