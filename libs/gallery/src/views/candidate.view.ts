import type { ImageCandidate, PipelineRun } from '@kiln/pipeline';
import { html, type SafeHtml } from './html';
import { candidateLabel, choiceForm } from './tile.view';

export interface CandidatePageData {
  candidate: ImageCandidate;
  run: PipelineRun;
  stepName: string;
  /** The sidecar beside the image, or why it could not be read. */
  sidecar: { ok: true; values: Record<string, unknown> } | { ok: false; reason: string };
  parent: ImageCandidate | null;
  children: ImageCandidate[];
  csrf: string;
}

/** Fields shown in their own rows; every other sidecar field is listed under "Other parameters". */
const OWN_ROWS = new Set(['seed', 'prompt', 'negativePrompt', 'negative_prompt', 'checkpoint', 'server', 'promptId', 'sha256', 'runId', 'jobId', 'parentCandidateId', 'item']);

function text(value: unknown): string {
  if (value === undefined || value === null) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A candidate: the image, what made it (from its sidecar), its lineage and the two choices. */
export function candidateView(data: CandidatePageData): SafeHtml {
  const { candidate: c } = data;
  const values = data.sidecar.ok ? data.sidecar.values : c.metadata;
  const label = candidateLabel(c, data.stepName);
  const seed = text(values['seed'] ?? c.seed);
  const prompt = text(values['prompt']);
  const others = Object.entries(values).filter(([key]) => !OWN_ROWS.has(key));
  return html`<p class="crumbs"><a href="/runs/${data.run.id}">${data.run.name}</a> › ${data.stepName}</p>
<h1>${data.stepName} #${c.index} <span class="badge status-${c.status}">${c.status}</span></h1>
<div class="candidate" data-id="${c.id}" data-status="${c.status}">
<figure class="full"><img src="/candidates/${c.id}/image" alt="${label}"><figcaption>generation ${c.generation}</figcaption></figure>
<div class="facts">
${choiceForm([c.id], data.csrf, `/candidates/${c.id}`, label)}
${data.sidecar.ok ? '' : html`<p class="warning">No sidecar: ${data.sidecar.reason}. Showing what the database recorded.</p>`}
<dl>
<dt>Seed</dt><dd><code id="seed">${seed}</code> <button type="button" data-copy="${seed}" aria-label="Copy the seed">Copy</button></dd>
<dt>Prompt</dt><dd><span id="prompt">${prompt}</span> <button type="button" data-copy="${prompt}" aria-label="Copy the prompt">Copy</button></dd>
<dt>Negative prompt</dt><dd>${text(values['negativePrompt'] ?? values['negative_prompt'])}</dd>
<dt>Checkpoint</dt><dd>${text(values['checkpoint'])}</dd>
<dt>Server</dt><dd>${text(values['server'])}</dd>
<dt>Prompt id</dt><dd><code>${text(values['promptId'])}</code></dd>
<dt>File</dt><dd><code>${c.imagePath}</code></dd>
<dt>SHA-256</dt><dd><code class="hash">${text(values['sha256'])}</code></dd>
<dt>Candidate id</dt><dd><code>${c.id}</code></dd>
</dl>
${others.length ? html`<h2>Other parameters</h2><dl class="params">${others.map(([key, value]) => html`<dt>${key}</dt><dd>${text(value)}</dd>`)}</dl>` : ''}
</div>
</div>
<section id="lineage" class="lineage" aria-labelledby="lineage-title"><h2 id="lineage-title">Lineage</h2>
<h3>Parent</h3>
${data.parent ? html`<ul class="grid" role="list">${relative(data.parent, data.stepName)}</ul>` : html`<p>None: a base image.</p>`}
<h3>Children (${data.children.length})</h3>
${data.children.length ? html`<ul class="grid" role="list">${data.children.map((child) => relative(child, data.stepName))}</ul>` : html`<p>None yet${c.status === 'selected' ? ': they are on their way' : ''}.</p>`}
</section>`;
}

function relative(candidate: ImageCandidate, stepName: string): SafeHtml {
  const label = candidateLabel(candidate, stepName);
  return html`<li class="tile status-${candidate.status}" data-id="${candidate.id}" data-status="${candidate.status}"><a class="thumb" href="/candidates/${candidate.id}"><img src="/candidates/${candidate.id}/thumbnail" alt="${label}" width="160" height="160" loading="lazy"></a><div class="meta"><span class="badge status">${candidate.status}</span> gen ${candidate.generation}</div></li>`;
}
