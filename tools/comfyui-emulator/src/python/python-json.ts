import { PythonFloat, pyFloatRepr } from './python-values';

const FLOAT_MARKER = '__comfyui_emulator_pyfloat__';
const BIGINT_MARKER = '__comfyui_emulator_pybigint__';
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * `json.loads` as Python sees it: numbers written with `.`/exponent become PythonFloat, integers beyond
 * 2^53 become bigint (seeds go up to 2^64-1). Throws SyntaxError on invalid JSON.
 */
export function parsePythonJson(text: string): unknown {
  const marked = text.replace(STRING_OR_NUMBER, (token) => {
    if (token.startsWith('"')) return token;
    if (/[.eE]/.test(token)) return `{"${FLOAT_MARKER}":"${token}"}`;
    if (!Number.isSafeInteger(Number(token))) return `{"${BIGINT_MARKER}":"${token}"}`;
    return token;
  });
  return JSON.parse(marked, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      if (typeof record[FLOAT_MARKER] === 'string') return new PythonFloat(Number(record[FLOAT_MARKER]));
      if (typeof record[BIGINT_MARKER] === 'string') return BigInt(record[BIGINT_MARKER]);
    }
    return value;
  });
}

function pythonString(s: string): string {
  // json.dumps uses ensure_ascii=True: every non-ASCII code unit becomes \uXXXX (lowercase hex).
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(Object.is(n, -0) ? 0 : n);
  return pyFloatRepr(n);
}

/**
 * `json.dumps(value)` byte for byte (default separators `", "` and `": "`, ensure_ascii).
 * Maps keep their insertion order, which matters for integer-like keys such as node ids.
 */
export function stringifyPythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return pythonString(value);
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PythonFloat) return pyFloatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map((item) => stringifyPythonJson(item)).join(', ')}]`;
  const entries =
    value instanceof Map ? [...(value as Map<string, unknown>).entries()] : Object.entries(value as object);
  const parts = entries
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${pythonString(String(k))}: ${stringifyPythonJson(v)}`);
  return `{${parts.join(', ')}}`;
}
