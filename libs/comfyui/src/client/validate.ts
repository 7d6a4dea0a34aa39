/** A response that does not have the shape the client relies on. Turned into `COMFYUI_BAD_RESPONSE` by the HTTP layer. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

export function expectRecord(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ShapeError(`${what}: expected an object, got ${describeValue(value)}`);
  return value;
}

export function expectArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(`${what}: expected an array, got ${describeValue(value)}`);
  return value;
}

export function expectString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new ShapeError(`${what}: expected a string, got ${describeValue(value)}`);
  return value;
}

export function expectNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ShapeError(`${what}: expected a number, got ${describeValue(value)}`);
  return value;
}

export function expectStringArray(value: unknown, what: string): string[] {
  return expectArray(value, what).map((item, i) => expectString(item, `${what}[${i}]`));
}

export function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** Ids ComfyUI reports are strings, but be lenient with numbers from forks. */
export function idList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
}
