import { countJobsByRun } from '@kiln/comfyui';
import { candidateChangeStamp } from '@kiln/pipeline';
import Fastify, { type FastifyInstance } from 'fastify';
import { isLoopback, type ResolvedGalleryOptions } from '../gallery-options';
import { ChangeFeed } from '../live/change-feed';
import { hostAllowed, sameOrigin, SECURITY_HEADERS } from '../security/request-checks';
import { Sessions } from '../security/sessions';
import { ThumbnailCache } from '../thumbnails/thumbnail-cache';
import { registerActionRoutes } from './action-routes';
import { registerAuthRoutes } from './auth-routes';
import { registerEventsRoute } from './events-route';
import { sendError, sessionOf, type GalleryContext } from './gallery-context';
import { registerImageRoutes } from './image-routes';
import { registerPageRoutes } from './page-routes';
import { loadStaticAssets } from './static-assets';

/** Reachable without a session: the login form and what it needs to render. */
const PUBLIC_PATHS = new Set(['/login', '/static/gallery.css', '/static/gallery.js', '/favicon.ico']);

/** The gallery's Fastify app, not yet listening (specs drive it with `inject`). */
export function buildGalleryApp(options: ResolvedGalleryOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, forceCloseConnections: true, return503OnClosing: true });
  const manager = () => options.dataSource.manager;
  const ctx: GalleryContext = {
    dataSource: options.dataSource,
    sessions: new Sessions(options.token),
    thumbnails: new ThumbnailCache(),
    changes: new ChangeFeed(async () => {
      const [candidates, jobs] = await Promise.all([candidateChangeStamp(manager()), countJobsByRun(manager())]);
      return `${candidates}|${JSON.stringify([...jobs].sort(([a], [b]) => a.localeCompare(b)))}`;
    }, options.changePollMs),
  };
  const loopback = isLoopback(options.host);

  // Forms post urlencoded (the script too): one small parser instead of a plugin.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, doneParsing) => {
    doneParsing(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    if (!hostAllowed(request.headers, loopback, options.host)) {
      return sendError(ctx, request, reply, 421, 'This gallery answers to 127.0.0.1 and localhost only.');
    }
    const path = request.url.split('?')[0] ?? '';
    if (!PUBLIC_PATHS.has(path) && !ctx.sessions.valid(sessionOf(request))) {
      if (request.method === 'GET' && request.headers.accept?.includes('text/html')) {
        return reply.redirect('/login', 303);
      }
      return sendError(ctx, request, reply, 401, 'Sign in first: open /login and give the gallery token.');
    }
    return undefined;
  });

  // Every state change: POST from a page of this origin carrying its session's CSRF token.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return undefined;
    if (!sameOrigin(request.headers)) return sendError(ctx, request, reply, 403, 'Refused: the request did not come from a page of this gallery (Origin does not match Host).');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const offered = request.headers['x-csrf-token'] ?? body['_csrf'];
    if (!ctx.sessions.checkCsrf(request.url === '/login' ? undefined : sessionOf(request), offered)) {
      return sendError(ctx, request, reply, 403, 'Refused: the form is stale or did not come from this gallery (CSRF token missing or wrong). Reload the page and try again.');
    }
    return undefined;
  });

  app.setNotFoundHandler((request, reply) => sendError(ctx, request, reply, 404, `Nothing here: ${request.method} ${request.url.split('?')[0]}.`));
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) options.log(`gallery: ${request.method} ${request.url} failed: ${error.stack ?? error.message}`);
    return sendError(ctx, request, reply, status, status === 500 ? 'Something went wrong on the server; its log says what.' : error.message);
  });

  const assets = loadStaticAssets();
  app.get<{ Params: { name: string } }>('/static/:name', async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return sendError(ctx, request, reply, 404, 'No such file.');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).header('cache-control', 'no-cache').header('etag', asset.etag).send(asset.body);
  });
  // Browsers ask for it on every page; no icon, and no 404 in their console.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());
  registerAuthRoutes(app, ctx);
  registerPageRoutes(app, ctx);
  registerImageRoutes(app, ctx);
  registerActionRoutes(app, ctx);
  registerEventsRoute(app, ctx);
  app.addHook('onClose', async () => ctx.changes.stop());
  return app;
}
