import { readFile } from 'node:fs/promises';
import { sidecarPath } from '@kiln/comfyui';
import { findCandidate, getPipelineRun, listCandidateChildren, listPipelineRuns, listRunCandidatesPage, type PipelineRun } from '@kiln/pipeline';
import type { FastifyInstance } from 'fastify';
import { loadRunProgress } from '../data/run-progress';
import { isId } from '../security/ids';
import { realFileInside } from '../security/inside-folder';
import { candidateView, type CandidatePageData } from '../views/candidate.view';
import { runView, type RunFilter } from '../views/run.view';
import { runsView } from '../views/runs.view';
import { csrfOf, sendError, sendPage, type GalleryContext } from './gallery-context';

/** Tiles per page: a page of 200 renders in milliseconds, and thumbnails load lazily as they scroll in. */
const PAGE_SIZE = 200;
const SIDECAR_MAX_BYTES = 1024 * 1024;

type Query = Record<string, string | undefined>;

/** The run page's query, validated; a bad value is named with the values it accepts. */
function runFilterOf(query: Query): RunFilter | string {
  const filter: RunFilter = { page: 1 };
  if (query['step']) {
    if (!isId(query['step'])) return `step=${query['step']} is not a step id; pick a step from the filter list`;
    filter.stepId = query['step'];
  }
  if (query['status']) {
    if (!['new', 'selected', 'rejected'].includes(query['status'])) return `status=${query['status']} is not one of new, selected, rejected`;
    filter.status = query['status'] as RunFilter['status'];
  }
  if (query['generation']) {
    if (!/^\d{1,4}$/.test(query['generation'])) return `generation=${query['generation']} is not a whole number from 0 to 9999`;
    filter.generation = Number(query['generation']);
  }
  if (query['page']) {
    if (!/^[1-9]\d{0,5}$/.test(query['page'])) return `page=${query['page']} is not a page number (1, 2, …)`;
    filter.page = Number(query['page']);
  }
  return filter;
}

export function registerPageRoutes(app: FastifyInstance, ctx: GalleryContext): void {
  const manager = () => ctx.dataSource.manager;

  app.get('/', async (request, reply) => {
    const runs = await listPipelineRuns(manager());
    const progress = await Promise.all(runs.map((run) => loadRunProgress(manager(), run.id)));
    return sendPage(ctx, request, reply, 'Runs', runsView(progress));
  });

  app.get<{ Params: { runId: string }; Querystring: Query }>('/runs/:runId', async (request, reply) => {
    const { runId } = request.params;
    if (!isId(runId)) return sendError(ctx, request, reply, 400, `${runId} is not a run id`);
    const filter = runFilterOf(request.query);
    if (typeof filter === 'string') return sendError(ctx, request, reply, 400, filter);
    const run = await findRun(runId);
    if (!run) return sendError(ctx, request, reply, 404, `no run with id ${runId}`);
    const [progress, page] = await Promise.all([
      loadRunProgress(manager(), runId),
      listRunCandidatesPage(manager(), runId, { ...filter, offset: (filter.page - 1) * PAGE_SIZE, limit: PAGE_SIZE }),
    ]);
    const body = runView({ progress, filter, ...page, pageSize: PAGE_SIZE, csrf: csrfOf(ctx, request), self: request.url });
    return sendPage(ctx, request, reply, progress.run.name, body);
  });

  app.get<{ Params: { id: string } }>('/candidates/:id', async (request, reply) => {
    const { id } = request.params;
    if (!isId(id)) return sendError(ctx, request, reply, 400, `${id} is not a candidate id`);
    const candidate = await findCandidate(manager(), id);
    if (!candidate) return sendError(ctx, request, reply, 404, `no candidate with id ${id}`);
    const run = await getPipelineRun(manager(), candidate.runId);
    const [parent, children, sidecar] = await Promise.all([
      candidate.parentId ? findCandidate(manager(), candidate.parentId) : null,
      listCandidateChildren(manager(), id),
      readSidecar(run.targetFolder, candidate.imagePath),
    ]);
    const stepName = run.steps.find((s) => s.id === candidate.stepId)?.name ?? 'step';
    const data: CandidatePageData = { candidate, run, stepName, sidecar, parent, children, csrf: csrfOf(ctx, request) };
    return sendPage(ctx, request, reply, `${stepName} #${candidate.index}`, candidateView(data));
  });

  async function findRun(runId: string): Promise<PipelineRun | null> {
    try {
      return await getPipelineRun(manager(), runId);
    } catch {
      return null;
    }
  }
}

async function readSidecar(runFolder: string, imagePath: string): Promise<CandidatePageData['sidecar']> {
  const file = await realFileInside(runFolder, sidecarPath(imagePath));
  if (!file) return { ok: false, reason: `${sidecarPath(imagePath)} is missing, not a regular file, or outside the run's folder` };
  const text = await readFile(file, 'utf8');
  if (text.length > SIDECAR_MAX_BYTES) return { ok: false, reason: `${file} is larger than 1 MiB` };
  try {
    const values: unknown = JSON.parse(text);
    if (!values || typeof values !== 'object' || Array.isArray(values)) return { ok: false, reason: `${file} is not a JSON object` };
    return { ok: true, values: values as Record<string, unknown> };
  } catch {
    return { ok: false, reason: `${file} is not valid JSON` };
  }
}
