import type { ImageCandidate } from '@kiln/pipeline';
import { plural } from './format';
import { html, type SafeHtml } from './html';

/** What a tile's label says: enough to tell candidates apart without the image. */
export function candidateLabel(candidate: ImageCandidate, stepName: string): string {
  return `${stepName} #${candidate.index}, generation ${candidate.generation}, ${candidate.status}`;
}

/**
 * One candidate in a grid: its thumbnail, status, generation and children, and the two choices as
 * a form that works without JavaScript (the script turns it into a fetch and adds the keyboard).
 */
export function tileView(candidate: ImageCandidate, stepName: string, csrf: string, returnTo: string): SafeHtml {
  const label = candidateLabel(candidate, stepName);
  return html`<li class="tile status-${candidate.status}" data-id="${candidate.id}" data-status="${candidate.status}" tabindex="-1" aria-label="${label}">
<a class="thumb" href="/candidates/${candidate.id}"><img src="/candidates/${candidate.id}/thumbnail" alt="${label}" width="160" height="160" loading="lazy" decoding="async"></a>
<div class="meta"><span class="badge status">${candidate.status}</span> <span>gen ${candidate.generation}</span> <span>${plural(candidate.childCount, 'child', 'children')}</span>
<label class="mark"><input type="checkbox" class="mark-box" value="${candidate.id}"> <span class="visually-hidden">mark ${label}</span><span aria-hidden="true">mark</span></label></div>
${choiceForm([candidate.id], csrf, returnTo, label)}
</li>`;
}

/** Select / reject buttons posting to /candidates/status. */
export function choiceForm(ids: string[], csrf: string, returnTo: string, label: string): SafeHtml {
  return html`<form class="choice" method="post" action="/candidates/status">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="ids" value="${ids.join(',')}"><input type="hidden" name="return" value="${returnTo}">
<button type="submit" name="status" value="selected" class="select" aria-label="Select ${label}">Select</button>
<button type="submit" name="status" value="rejected" class="reject" aria-label="Reject ${label}">Reject</button>
</form>`;
}
