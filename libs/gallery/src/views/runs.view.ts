import type { RunProgress } from '../data/run-progress';
import { formatTime } from './format';
import { html, type SafeHtml } from './html';

/** Every run, newest first, with each step's progress. */
export function runsView(runs: RunProgress[]): SafeHtml {
  if (runs.length === 0) {
    return html`<h1>Runs</h1><p>No runs yet. Start one with <code>kiln pipeline start FILE</code> or <code>kiln run FILE</code>.</p>`;
  }
  return html`<h1>Runs</h1>
<table class="runs">
<caption class="visually-hidden">Every run, newest first</caption>
<thead><tr><th scope="col">Run (its spec file)</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Steps: wanted / made / in flight / failed</th><th scope="col">Servers</th><th scope="col">Started</th><th scope="col">Finished</th></tr></thead>
<tbody>
${runs.map(
  (p) => html`<tr>
<th scope="row"><a href="/runs/${p.run.id}">${p.run.name}</a><br><code class="id">${p.run.id.slice(0, 8)}</code></th>
<td>${p.run.kind}</td>
<td><span class="badge run-${p.run.status}">${p.run.status}</span></td>
<td><ul class="progress">${p.steps.map((s) => html`<li>${s.step.name}: ${s.wanted} / ${s.made} / ${s.inFlight} / ${s.failed > 0 ? html`<strong class="failed">${s.failed}</strong>` : '0'}</li>`)}</ul></td>
<td>${p.servers.length ? p.servers.join(', ') : '—'}</td>
<td>${formatTime(p.run.createdAt)}</td>
<td>${p.run.status === 'active' ? '—' : formatTime(p.run.updatedAt)}</td>
</tr>`,
)}
</tbody>
</table>`;
}
