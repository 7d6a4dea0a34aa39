import type { IncomingHttpHeaders } from 'node:http';

/** Headers on every response: nothing but this server's own scripts, styles and images. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on same-origin POSTs.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

function hostname(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0] ?? '';
}

/**
 * A loopback gallery answers only to loopback names, so a web page whose name was rebound to
 * 127.0.0.1 (DNS rebinding) cannot read it. A gallery on another address has its token instead.
 */
export function hostAllowed(headers: IncomingHttpHeaders, listensOnLoopback: boolean, configuredHost: string): boolean {
  const host = headers.host;
  if (!host) return false;
  if (!listensOnLoopback) return true;
  const name = hostname(host).toLowerCase();
  return LOOPBACK_NAMES.has(name) || name === configuredHost.toLowerCase();
}

/** A state change must come from a page of this very origin: Origin (or Referer) equals Host. */
export function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const claimed = headers.origin ?? headers.referer;
  if (!claimed || !headers.host) return false;
  try {
    const url = new URL(claimed);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === headers.host;
  } catch {
    return false;
  }
}

/** A path of this site to go back to after a no-script form post; anything else goes home. */
export function localReturnPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) ? value : '/';
}
