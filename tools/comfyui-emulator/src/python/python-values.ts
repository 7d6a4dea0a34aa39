/**
 * A JSON number that Python holds as a float (it had a `.` or an exponent, or was made by `float()`).
 * JavaScript has one number type, so we keep the distinction to print `7.0` the way ComfyUI does.
 */
export class PythonFloat {
  constructor(readonly value: number) {}

  toJSON(): number {
    return this.value;
  }
}

/** An error that mirrors a Python exception: `type` is the exception class, `message` is `str(ex)`. */
export class PythonException extends Error {
  constructor(
    readonly pythonType: string,
    message: string,
    /** `traceback.format_tb` lines, when we know what the real server prints. */
    readonly pythonTraceback: string[] = [],
  ) {
    super(message);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof PythonFloat);
}

export function toJsNumber(value: unknown): number {
  if (value instanceof PythonFloat) return value.value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  return Number.NaN;
}

/** Python's `repr(float)`: shortest round-trip digits, `.0` for integral values, exponent outside [1e-4, 1e16). */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e16 || abs < 1e-4) {
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  const text = String(n);
  return text.includes('.') ? text : `${text}.0`;
}

function pyIntRepr(n: number): string {
  return Number.isInteger(n) ? String(Object.is(n, -0) ? 0 : n) : pyFloatRepr(n);
}

/** Python's `repr(str)`. */
function pyStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a JSON-like value. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return pyStringRepr(value);
  return pyStr(value);
}

/** Python's `str()` of a JSON-like value (dicts and lists use repr for their items). */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return pyIntRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PythonFloat) return pyFloatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (value instanceof Map) {
    return `{${[...value.entries()].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Python truthiness of a JSON-like value. */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (value instanceof PythonFloat) return value.value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object' && !(value instanceof PythonFloat)) return 'dict';
  return typeof value;
}

const PY_INT_TEXT = /^\s*[+-]?\d+(_\d+)*\s*$/;

/** Python's `int(value)`; throws PythonException like CPython would. */
export function pyInt(value: unknown): number | bigint {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Math.trunc(value);
  if (value instanceof PythonFloat) {
    if (!Number.isFinite(value.value)) {
      throw new PythonException('OverflowError', 'cannot convert float infinity to integer');
    }
    return Math.trunc(value.value);
  }
  if (typeof value === 'string') {
    if (!PY_INT_TEXT.test(value)) {
      throw new PythonException('ValueError', `invalid literal for int() with base 10: ${pyStringRepr(value)}`);
    }
    const big = BigInt(value.trim().replace(/_/g, ''));
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  throw new PythonException(
    'TypeError',
    `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`,
  );
}

const PY_FLOAT_TEXT = /^\s*[+-]?((\d+(_\d+)*)?\.?\d*(_\d+)*([eE][+-]?\d+)?|inf(inity)?|nan)\s*$/i;

/** Python's `float(value)`; throws PythonException like CPython would. */
export function pyFloat(value: unknown): PythonFloat {
  if (typeof value === 'boolean') return new PythonFloat(value ? 1 : 0);
  if (typeof value === 'number') return new PythonFloat(value);
  if (typeof value === 'bigint') return new PythonFloat(Number(value));
  if (value instanceof PythonFloat) return value;
  if (typeof value === 'string') {
    const text = value.trim().replace(/_/g, '');
    if (!PY_FLOAT_TEXT.test(value) || text === '' || text === '.' || /^[+-]?\.?$/.test(text)) {
      throw new PythonException('ValueError', `could not convert string to float: ${pyStringRepr(value)}`);
    }
    const lower = text.toLowerCase();
    if (lower.endsWith('inf') || lower.endsWith('infinity')) {
      return new PythonFloat(lower.startsWith('-') ? -Infinity : Infinity);
    }
    if (lower.endsWith('nan')) return new PythonFloat(Number.NaN);
    return new PythonFloat(Number(text));
  }
  throw new PythonException(
    'TypeError',
    `float() argument must be a string or a real number, not '${pyTypeName(value)}'`,
  );
}

/** Python's `a < b` for the numbers we meet (int, big int, float). */
export function compareNumbers(a: unknown, b: unknown): number {
  const left = a instanceof PythonFloat ? a.value : a;
  const right = b instanceof PythonFloat ? b.value : b;
  if (typeof left === 'bigint' && typeof right === 'bigint') return left < right ? -1 : left > right ? 1 : 0;
  const l = left as number | bigint;
  const r = right as number | bigint;
  return l < r ? -1 : l > r ? 1 : 0;
}
