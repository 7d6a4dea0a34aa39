/**
 * Kiln's one home for hiding secrets where values leave the process (files, database rows, logs,
 * metrics, the terminal, JSON). Two kinds of secret: credentials inside URLs (COMFYUI_BASE_URL,
 * DATABASE_URL), and configured values that a server may echo back (COMFYUI_AUTH_HEADER).
 */

/** Query parameters that carry credentials (libpq and common HTTP conventions). */
const SECRET_PARAMS = /^(password|passwd|pass|pwd|secret|token|access_token|api_key|apikey|key|sslpassword)$/i;

const MASK = '***';

/**
 * A URL fit for logs and messages: the password replaced by `***` (the user name stays, it tells
 * which account), credential query parameters (`?password=`, `?token=`…) masked, no trailing slash.
 * An unparseable value is never echoed, since it may be a secret.
 */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = MASK;
    for (const name of [...url.searchParams.keys()]) if (SECRET_PARAMS.test(name)) url.searchParams.set(name, MASK);
    return url.href.replace(/\/$/, '').replaceAll(encodeURIComponent(MASK), MASK);
  } catch {
    return '<unparseable URL>';
  }
}

/** Replaces every one of `secrets` in `text` by `[REDACTED]`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join('[REDACTED]');
  return result;
}

/**
 * The values worth hiding from a set of headers: each value and its last space-separated part (the
 * token of `Bearer <token>`), longest first so a token is hidden before any shorter part of it.
 */
export function secretsOfHeaders(headers: Record<string, string>): string[] {
  const secrets = new Set<string>();
  for (const value of Object.values(headers)) {
    if (value.length >= 4) secrets.add(value);
    const token = value.split(' ').pop();
    if (token && token.length >= 6) secrets.add(token);
  }
  return [...secrets].sort((a, b) => b.length - a.length);
}
