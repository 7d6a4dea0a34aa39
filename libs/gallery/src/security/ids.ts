const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every id the gallery takes is a UUID; anything else is refused before it reaches a query. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
