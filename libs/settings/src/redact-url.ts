/**
 * A URL fit for logs and messages: the password replaced by `***` (the user name stays, it tells
 * which account), no trailing slash. An unparseable value is never echoed, since it may be a secret.
 */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.href.replace(/\/$/, '');
  } catch {
    return '<unparseable URL>';
  }
}
