import { html, type SafeHtml } from './html';

export interface PageContext {
  /** The CSRF token forms and scripts send back with every POST. */
  csrf: string;
}

const HELP_KEYS: Array<[string, string]> = [
  ['j / → ', 'next candidate'],
  ['k / ←', 'previous candidate'],
  ['↓ / ↑', 'candidate below / above'],
  ['Space', 'mark or unmark (s and x then act on every marked one)'],
  ['s', 'select (its children are generated)'],
  ['x', 'reject'],
  ['u', 'undo the last choice'],
  ['Enter', 'open the candidate'],
  ['?', 'this help; Esc closes it'],
];

/** The page shell: one stylesheet and one script, both from this server (the CSP allows nothing else). */
export function layout(title: string, body: SafeHtml, ctx: PageContext): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${ctx.csrf}">
<title>${title} · Kiln gallery</title>
<link rel="stylesheet" href="/static/gallery.css">
<script src="/static/gallery.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><nav aria-label="Gallery"><a href="/">Kiln gallery</a> <a href="/">Runs</a></nav>
<button type="button" class="help-button" data-help aria-haspopup="dialog">Keyboard help (?)</button></header>
<main id="main" data-live>${body}</main>
<p id="live-status" class="visually-hidden" role="status" aria-live="polite"></p>
<dialog id="help" aria-labelledby="help-title">
<h2 id="help-title">Keyboard</h2>
<dl class="keys">${HELP_KEYS.map(([key, what]) => html`<dt><kbd>${key}</kbd></dt><dd>${what}</dd>`)}</dl>
<form method="dialog"><button type="submit">Close</button></form>
</dialog>
</body>
</html>
`.value;
}

/** Shown for every error: a sentence and a way back, never a stack trace. */
export function errorPage(status: number, message: string, ctx: PageContext): string {
  return layout(`Error ${status}`, html`<h1>${status === 404 ? 'Not found' : `Error ${status}`}</h1><p>${message}</p><p><a href="/">Back to the runs</a></p>`, ctx);
}
