import type { HttpReply } from './http-reply';

export interface RouteRequest {
  method: string;
  /** Path without base path and `/api` prefix. */
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

type RouteHandler = (request: RouteRequest) => HttpReply | Promise<HttpReply>;

export interface Route {
  method: string;
  /** e.g. `/history/{prompt_id}` */
  pattern: string;
  handler: RouteHandler;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'not-found' };

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const patternParts = pattern.split('/');
  const pathParts = path.split('/');
  if (patternParts.length !== pathParts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < patternParts.length; i++) {
    const part = patternParts[i];
    if (part.startsWith('{') && part.endsWith('}')) {
      if (pathParts[i] === '') return undefined;
      params[part.slice(1, -1)] = decodeURIComponent(pathParts[i]);
    } else if (part !== pathParts[i]) {
      return undefined;
    }
  }
  return params;
}

/** aiohttp-style routing: exact segments and `{name}` placeholders; GET routes also answer HEAD. */
export function matchRoute(routes: Route[], method: string, path: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern, path);
    if (!params) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
      return { kind: 'found', route, params };
    }
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'not-found' };
}
