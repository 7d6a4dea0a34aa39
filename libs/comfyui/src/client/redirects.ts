import { ComfyUiError } from '../errors';

/** Redirects followed for one request; a server that needs more is misconfigured. */
const MAX_REDIRECTS = 3;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Where a redirect answer points, when Kiln may follow it: GETs only, on the same origin (scheme,
 * host and port) as the request, at most {@link MAX_REDIRECTS} times. Credentials (the configured
 * auth header, which fetch would otherwise carry along) never leave the server's origin.
 * `undefined` for a non-redirect answer; a `COMFYUI_BAD_RESPONSE` for one that is refused.
 */
export function nextRedirect(res: Response, method: string, url: string, followed: number): string | undefined {
  if (!REDIRECT_STATUSES.has(res.status)) return undefined;
  const location = res.headers.get('location');
  if (!location) return undefined;
  let target: URL;
  try {
    target = new URL(location, url);
  } catch {
    throw refused(method, url, `an unreadable Location ${JSON.stringify(location.slice(0, 200))}`);
  }
  if (target.origin !== new URL(url).origin) {
    throw refused(method, url, `another origin (${target.origin}); Kiln follows redirects only on the server's own origin, so credentials never leave it`);
  }
  if (method !== 'GET') throw refused(method, url, `${target.pathname}, but only GET requests are redirected`);
  if (followed >= MAX_REDIRECTS) throw refused(method, url, `${target.pathname} after ${MAX_REDIRECTS} redirects already`);
  return target.href;
}

function refused(method: string, url: string, what: string): ComfyUiError {
  return new ComfyUiError('COMFYUI_BAD_RESPONSE', `ComfyUI redirected ${method} ${url} to ${what}`, { method, url });
}
