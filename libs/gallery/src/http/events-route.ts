import type { FastifyInstance } from 'fastify';
import { SECURITY_HEADERS } from '../security/request-checks';
import type { GalleryContext } from './gallery-context';

const HEARTBEAT_MS = 15_000;

/** Server-sent events: `change` whenever the database's change stamp moves; pages refresh what they show. */
export function registerEventsRoute(app: FastifyInstance, ctx: GalleryContext): void {
  const open = new Set<() => void>();
  app.addHook('preClose', (doneClosing) => {
    for (const end of open) end();
    doneClosing();
  });

  app.get('/events', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    const unsubscribe = ctx.changes.subscribe((stamp) => res.write(`event: change\ndata: ${JSON.stringify(stamp)}\n\n`));
    const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(end);
      res.end();
    };
    open.add(end);
    request.raw.on('close', end);
  });
}
