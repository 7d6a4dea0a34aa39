import { redactText } from '@kiln/settings';

/**
 * A parsed answer of the server (JSON body or WebSocket message) with every secret in its strings
 * and keys replaced, before anything stores, logs or prints it: a server may echo the credentials
 * it received (an auth header in an error message or a traceback). Changes `value` in place.
 */
export function redactAnswer<T>(value: T, secrets: readonly string[]): T {
  return secrets.length === 0 ? value : (redactIn(value, secrets) as T);
}

function redactIn(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = redactIn(value[i], secrets);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const redacted = redactIn(record[key], secrets);
      const cleanKey = redactString(key, secrets);
      if (cleanKey !== key) delete record[key];
      record[cleanKey] = redacted;
    }
  }
  return value;
}

/** Most strings hold no secret: only those that do are rebuilt. */
function redactString(text: string, secrets: readonly string[]): string {
  return secrets.some((secret) => text.includes(secret)) ? redactText(text, secrets) : text;
}
