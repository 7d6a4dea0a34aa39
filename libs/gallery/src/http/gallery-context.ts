import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import type { ChangeFeed } from '../live/change-feed';
import { readCookie, SESSION_COOKIE, type Sessions } from '../security/sessions';
import type { ThumbnailCache } from '../thumbnails/thumbnail-cache';
import type { SafeHtml } from '../views/html';
import { errorPage, layout } from '../views/layout';

/** What every route of one gallery shares. */
export interface GalleryContext {
  dataSource: DataSource;
  sessions: Sessions;
  thumbnails: ThumbnailCache;
  changes: ChangeFeed;
}

export function sessionOf(request: FastifyRequest): string | undefined {
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

export function csrfOf(ctx: GalleryContext, request: FastifyRequest): string {
  return ctx.sessions.csrfFor(sessionOf(request));
}

/**
 * A whole page, or only the inside of `<main>` when the page's script asks for it
 * (`X-Kiln-Fragment: main`) to refresh itself after a change.
 */
export function sendPage(ctx: GalleryContext, request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml): FastifyReply {
  reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
  if (request.headers['x-kiln-fragment'] === 'main') return reply.send(body.value);
  return reply.send(layout(title, body, { csrf: csrfOf(ctx, request) }));
}

export function sendError(ctx: GalleryContext, request: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply {
  reply.code(status).header('cache-control', 'no-store');
  if (request.headers.accept?.includes('application/json')) return reply.type('application/json').send({ error: message });
  return reply.type('text/html; charset=utf-8').send(errorPage(status, message, { csrf: csrfOf(ctx, request) }));
}
