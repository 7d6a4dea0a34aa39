/** A parsed base URL: always ends with `/` so relative paths keep any proxy base path. */
export interface ComfyUiBaseUrl {
  /** e.g. `https://host/comfy/` (no credentials). */
  href: string;
  /** `Authorization` header built from `user:pass@` in the configured URL, if any. */
  basicAuth?: string;
}

export function parseBaseUrl(raw: string): ComfyUiBaseUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`Invalid ComfyUI baseUrl ${JSON.stringify(raw)}: expected an absolute URL such as http://127.0.0.1:8188 (check COMFYUI_BASE_URL)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Invalid ComfyUI baseUrl: protocol ${url.protocol} is not http: or https: (check COMFYUI_BASE_URL)`);
  }
  let basicAuth: string | undefined;
  if (url.username || url.password) {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    basicAuth = `Basic ${Buffer.from(pair).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { href: url.href, basicAuth };
}

/** `path` is relative to the base (no leading slash), e.g. `history/abc`. */
export function httpUrl(base: ComfyUiBaseUrl, path: string, query?: Record<string, string>): string {
  const url = new URL(path, base.href);
  if (query) url.search = new URLSearchParams(query).toString();
  return url.href;
}

export function wsUrl(base: ComfyUiBaseUrl, clientId: string): string {
  const url = new URL('ws', base.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = new URLSearchParams({ clientId }).toString();
  return url.href;
}
