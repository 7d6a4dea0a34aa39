import type { RunJob } from '@kiln/comfyui';
import type { ImageCandidate } from '@kiln/pipeline';
import type { RunProgress, StepProgress } from '../data/run-progress';
import { formatTime } from './format';
import { html, type SafeHtml } from './html';
import { tileView } from './tile.view';

/** The run page's filters, as validated from the query string. */
export interface RunFilter {
  stepId?: string;
  status?: 'new' | 'selected' | 'rejected';
  generation?: number;
  page: number;
}

export interface RunPageData {
  progress: RunProgress;
  filter: RunFilter;
  candidates: ImageCandidate[];
  total: number;
  pageSize: number;
  csrf: string;
  /** This page's path and query, where the no-script forms come back to. */
  self: string;
}

/** A run: its steps as sections with their candidates of this page, filters, pages, failed jobs. */
export function runView(data: RunPageData): SafeHtml {
  const { run } = data.progress;
  const stepNames = new Map(data.progress.steps.map((s) => [s.step.id, s.step.name]));
  const shown = data.progress.steps.filter((s) => !data.filter.stepId || s.step.id === data.filter.stepId);
  return html`<h1>${run.name}</h1>
<p class="run-facts"><span class="badge run-${run.status}">${run.status}</span> ${run.kind} · started ${formatTime(run.createdAt)} · output <code>${run.targetFolder}</code>
${data.progress.servers.length ? html` · servers ${data.progress.servers.join(', ')}` : ''}</p>
${filterForm(data)}
${pager(data)}
<div class="grid-area" data-run="${run.id}">
${shown.map((s) => stepSection(s, data.candidates.filter((c) => c.stepId === s.step.id), data, stepNames))}
</div>
${pager(data)}
${failedJobs(data.progress.jobs.filter((j) => j.status === 'failed'), stepNames, data.csrf, data.self)}`;
}

function stepSection(progress: StepProgress, candidates: ImageCandidate[], data: RunPageData, stepNames: Map<string, string>): SafeHtml {
  const id = `step-${progress.step.id}`;
  return html`<section class="step" aria-labelledby="${id}">
<h2 id="${id}">${progress.step.name}</h2>
<p class="step-progress">${progress.wanted} wanted · ${progress.made} made · ${progress.inFlight} in flight · ${progress.failed} failed · ${progress.selected} selected · ${progress.rejected} rejected</p>
${candidates.length
  ? html`<ul class="grid" role="list">${candidates.map((c) => tileView(c, stepNames.get(c.stepId) ?? 'step', data.csrf, data.self))}</ul>`
  : html`<p class="empty">No candidates ${data.total > 0 ? 'of this step on this page' : 'match yet'}.</p>`}
</section>`;
}

function filterForm(data: RunPageData): SafeHtml {
  const generations = [...new Set(data.progress.steps.flatMap((s) => s.generations))].sort((a, b) => a - b);
  const f = data.filter;
  return html`<form class="filters" method="get" action="/runs/${data.progress.run.id}">
<label>Step <select name="step"><option value="">all</option>${data.progress.steps.map((s) => html`<option value="${s.step.id}"${f.stepId === s.step.id ? html` selected` : ''}>${s.step.name}</option>`)}</select></label>
<label>Status <select name="status"><option value="">all</option>${(['new', 'selected', 'rejected'] as const).map((s) => html`<option${f.status === s ? html` selected` : ''}>${s}</option>`)}</select></label>
<label>Generation <select name="generation"><option value="">all</option>${generations.map((g) => html`<option${f.generation === g ? html` selected` : ''}>${g}</option>`)}</select></label>
<button type="submit">Filter</button>
</form>`;
}

function pager(data: RunPageData): SafeHtml {
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  const first = data.total === 0 ? 0 : (data.filter.page - 1) * data.pageSize + 1;
  const last = Math.min(data.total, data.filter.page * data.pageSize);
  const link = (page: number) => {
    const query = new URLSearchParams();
    if (data.filter.stepId) query.set('step', data.filter.stepId);
    if (data.filter.status) query.set('status', data.filter.status);
    if (data.filter.generation !== undefined) query.set('generation', String(data.filter.generation));
    query.set('page', String(page));
    return `/runs/${data.progress.run.id}?${query}`;
  };
  return html`<nav class="pager" aria-label="Pages of candidates"><span>${first}–${last} of ${data.total}</span>
${data.filter.page > 1 ? html` <a href="${link(data.filter.page - 1)}" rel="prev">previous page</a>` : ''}
${data.filter.page < pages ? html` <a href="${link(data.filter.page + 1)}" rel="next">next page</a>` : ''}</nav>`;
}

function failedJobs(jobs: RunJob[], stepNames: Map<string, string>, csrf: string, self: string): SafeHtml {
  return html`<section class="failed-jobs" aria-labelledby="failed-title"><h2 id="failed-title">Failed jobs (${jobs.length})</h2>
${jobs.length === 0
  ? html`<p>None.</p>`
  : html`<table><thead><tr><th scope="col">Job</th><th scope="col">Step</th><th scope="col">Error</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead><tbody>
${jobs.map((job) => html`<tr data-job="${job.id}"><td>${job.label}<br><code class="id">${job.id.slice(0, 8)}</code></td><td>${stepNames.get(job.stepId) ?? ''}</td><td class="error">${job.errorMessage ?? 'no message recorded'}</td>
<td><form method="post" action="/jobs/${job.id}/retry"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="return" value="${self}"><button type="submit" aria-label="Retry ${job.label}">Retry</button></form></td></tr>`)}
</tbody></table>`}
</section>`;
}
