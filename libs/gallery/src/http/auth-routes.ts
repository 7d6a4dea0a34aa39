import type { FastifyInstance } from 'fastify';
import { html } from '../views/html';
import { localReturnPath } from '../security/request-checks';
import { SESSION_COOKIE } from '../security/sessions';
import { sendError, sendPage, sessionOf, type GalleryContext } from './gallery-context';

/** The login form of a gallery with a token: a session cookie that scripts cannot read and other sites cannot send. */
export function registerAuthRoutes(app: FastifyInstance, ctx: GalleryContext): void {
  app.get('/login', async (request, reply) => {
    const body = html`<h1>Sign in</h1>
<form class="login" method="post" action="/login">
<input type="hidden" name="_csrf" value="${ctx.sessions.csrfFor(undefined)}">
<label for="token">Gallery token (the value of <code>KILN_GALLERY_TOKEN</code>)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`;
    return sendPage(ctx, request, reply, 'Sign in', body);
  });

  app.post<{ Body: Record<string, string | undefined> }>('/login', async (request, reply) => {
    if (ctx.sessions.throttled()) return sendError(ctx, request, reply, 429, 'Too many wrong tokens in the last minute; wait a minute and try again.');
    const session = ctx.sessions.login(request.body?.['token'] ?? '');
    if (!session) return sendError(ctx, request, reply, 401, 'That is not the gallery token. Ask whoever started the gallery for the value of KILN_GALLERY_TOKEN.');
    reply.header('set-cookie', `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200`);
    return reply.redirect(localReturnPath(request.body?.['return']), 303);
  });

  app.post('/logout', async (request, reply) => {
    ctx.sessions.logout(sessionOf(request));
    reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return reply.redirect('/login', 303);
  });
}
