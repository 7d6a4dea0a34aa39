import { retryFailedJobs } from '@kiln/comfyui';
import { rejectCandidates, resetCandidates, selectCandidates } from '@kiln/pipeline';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isId } from '../security/ids';
import { localReturnPath } from '../security/request-checks';
import { sendError, type GalleryContext } from './gallery-context';

type Body = Record<string, string | undefined>;
const MAX_IDS = 500;
const SET_STATUS = { selected: selectCandidates, rejected: rejectCandidates, new: resetCandidates } as const;

/** JSON for the page's script, a redirect back for a plain form post. */
function done(request: FastifyRequest<{ Body: Body }>, reply: FastifyReply, result: unknown): FastifyReply {
  if (request.headers.accept?.includes('application/json')) return reply.header('cache-control', 'no-store').send(result);
  return reply.redirect(localReturnPath(request.body?.['return']), 303);
}

/** The gallery's state changes: POST only; the CSRF and origin checks ran in the server's hook. */
export function registerActionRoutes(app: FastifyInstance, ctx: GalleryContext): void {
  app.post<{ Body: Body }>('/candidates/status', async (request, reply) => {
    const ids = (request.body?.['ids'] ?? '').split(',').filter(Boolean);
    const status = request.body?.['status'] ?? '';
    if (ids.length === 0 || ids.length > MAX_IDS) return sendError(ctx, request, reply, 400, `ids: give 1 to ${MAX_IDS} candidate ids, comma-separated`);
    const bad = ids.find((id) => !isId(id));
    if (bad) return sendError(ctx, request, reply, 400, `ids: ${bad} is not a candidate id`);
    if (!(status in SET_STATUS)) return sendError(ctx, request, reply, 400, `status=${status} is not one of selected, rejected, new`);
    let changed;
    try {
      changed = await SET_STATUS[status as keyof typeof SET_STATUS](ctx.dataSource.manager, ids);
    } catch (error) {
      if ((error as { code?: string }).code === 'CANDIDATE_NOT_FOUND') return sendError(ctx, request, reply, 404, (error as Error).message);
      throw error;
    }
    return done(request, reply, { candidates: changed.map((c) => ({ id: c.id, status: c.status })) });
  });

  app.post<{ Params: { id: string }; Body: Body }>('/jobs/:id/retry', async (request, reply) => {
    const { id } = request.params;
    if (!isId(id)) return sendError(ctx, request, reply, 400, `${id} is not a job id`);
    try {
      const [retried] = await retryFailedJobs(ctx.dataSource.manager, [id]);
      return done(request, reply, { job: retried });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'JOB_NOT_FOUND') return sendError(ctx, request, reply, 404, (error as Error).message);
      if (code === 'JOB_NOT_RETRYABLE') return sendError(ctx, request, reply, 409, (error as Error).message);
      throw error;
    }
  });
}
