// The gallery's only script (served from /static, no inline code: the CSP forbids it). Pages work
// without it; with it, choices are saved without a reload, the keyboard drives curation, and pages
// refresh themselves when the server's event stream says something changed.
(function () {
  'use strict';
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  const main = document.getElementById('main');
  const live = document.getElementById('live-status');
  const help = document.getElementById('help');
  const undoStack = [];

  function announce(text) {
    if (live) live.textContent = text;
  }
  function tiles() {
    return Array.prototype.slice.call(main.querySelectorAll('.grid-area .tile[data-id]'));
  }
  function current() {
    const el = document.activeElement;
    return el && el.closest ? el.closest('.tile[data-id], .candidate[data-id]') : null;
  }
  function focusTile(tile) {
    if (!tile) return;
    tiles().forEach(function (t) { t.tabIndex = t === tile ? 0 : -1; });
    tile.focus();
  }
  function ensureRovingFocus() {
    const all = tiles();
    if (all.length && !all.some(function (t) { return t.tabIndex === 0; })) all[0].tabIndex = 0;
  }

  function post(url, fields) {
    const body = new URLSearchParams(fields);
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf, accept: 'application/json' },
      body: body,
      credentials: 'same-origin',
    }).then(function (res) {
      return res.json().then(function (json) {
        if (!res.ok) throw new Error(json.error || 'the server refused (' + res.status + ')');
        return json;
      });
    });
  }

  function showStatus(id, status) {
    main.querySelectorAll('[data-id="' + id + '"]').forEach(function (el) {
      el.dataset.status = status;
      el.classList.remove('status-new', 'status-selected', 'status-rejected');
      el.classList.add('status-' + status);
      const badge = el.querySelector('.badge.status');
      if (badge) badge.textContent = status;
    });
  }

  /** Saves a choice at once; `record` puts it on the undo stack. */
  function setStatus(ids, status, record) {
    const previous = ids.map(function (id) {
      const el = main.querySelector('[data-id="' + id + '"]');
      return { id: id, status: el ? el.dataset.status : 'new' };
    });
    return post('/candidates/status', { ids: ids.join(','), status: status })
      .then(function (json) {
        json.candidates.forEach(function (c) { showStatus(c.id, c.status); });
        if (record) undoStack.push(previous);
        announce((status === 'new' ? 'Undone: ' : status.charAt(0).toUpperCase() + status.slice(1) + ': ') + ids.length + (ids.length === 1 ? ' candidate' : ' candidates'));
      })
      .catch(function (error) { announce('Not saved: ' + error.message); });
  }

  function chosenIds() {
    const marked = Array.prototype.slice.call(main.querySelectorAll('.mark-box:checked')).map(function (box) { return box.value; });
    if (marked.length) return marked;
    const tile = current() || main.querySelector('.candidate[data-id]');
    return tile ? [tile.dataset.id] : [];
  }

  function undo() {
    const last = undoStack.pop();
    if (!last) return announce('Nothing to undo');
    const byStatus = {};
    last.forEach(function (item) { (byStatus[item.status] = byStatus[item.status] || []).push(item.id); });
    Object.keys(byStatus).forEach(function (status) {
      post('/candidates/status', { ids: byStatus[status].join(','), status: status }).then(function (json) {
        json.candidates.forEach(function (c) { showStatus(c.id, c.status); });
        announce('Undone: ' + byStatus[status].length + ' back to ' + status);
      }, function (error) { announce('Undo not saved: ' + error.message); });
    });
  }

  function move(delta) {
    const all = tiles();
    if (!all.length) return;
    const tile = current();
    const i = tile ? all.indexOf(tile) : -1;
    focusTile(all[Math.max(0, Math.min(all.length - 1, i + delta))] || all[0]);
  }
  function moveVertical(direction) {
    const all = tiles();
    const tile = current();
    if (!tile || all.indexOf(tile) < 0) return move(0);
    const box = tile.getBoundingClientRect();
    let best = null;
    let bestScore = Infinity;
    all.forEach(function (t) {
      const r = t.getBoundingClientRect();
      const dy = (r.top - box.top) * direction;
      if (dy <= 1) return;
      const score = dy * 10 + Math.abs(r.left - box.left);
      if (score < bestScore) { bestScore = score; best = t; }
    });
    if (best) focusTile(best);
  }

  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && target.closest && target.closest('input, select, textarea, dialog[open]') && event.key !== 'Escape') return;
    const key = event.key;
    const onTile = current() && current().classList.contains('tile');
    if (key === '?') { event.preventDefault(); if (help && !help.open) help.showModal(); return; }
    if (key === 'j' || key === 'ArrowRight') { if (tiles().length) { event.preventDefault(); move(onTile ? 1 : 0); } return; }
    if (key === 'k' || key === 'ArrowLeft') { if (tiles().length) { event.preventDefault(); move(onTile ? -1 : 0); } return; }
    if (key === 'ArrowDown' && onTile) { event.preventDefault(); moveVertical(1); return; }
    if (key === 'ArrowUp' && onTile) { event.preventDefault(); moveVertical(-1); return; }
    if (key === ' ' && onTile && target === current()) {
      event.preventDefault();
      const box = current().querySelector('.mark-box');
      if (box) { box.checked = !box.checked; announce(box.checked ? 'Marked' : 'Unmarked'); }
      return;
    }
    if (key === 'Enter' && onTile && target === current()) { window.location.href = '/candidates/' + current().dataset.id; return; }
    if (key === 's' || key === 'x') {
      const ids = chosenIds();
      if (!ids.length) return;
      event.preventDefault();
      setStatus(ids, key === 's' ? 'selected' : 'rejected', true).then(function () {
        main.querySelectorAll('.mark-box:checked').forEach(function (b) { b.checked = false; });
      });
      return;
    }
    if (key === 'u') { event.preventDefault(); undo(); }
  });

  document.addEventListener('submit', function (event) {
    const form = event.target;
    if (!form.classList || !form.classList.contains('choice')) return;
    event.preventDefault();
    const button = event.submitter;
    const ids = form.querySelector('input[name="ids"]').value.split(',');
    setStatus(ids, button ? button.value : 'selected', true);
  });

  document.addEventListener('click', function (event) {
    const target = event.target;
    if (!target.closest) return;
    const copy = target.closest('[data-copy]');
    if (copy) {
      navigator.clipboard.writeText(copy.dataset.copy).then(function () { announce('Copied'); }, function () { announce('Copy failed: select the text instead'); });
      return;
    }
    if (target.closest('[data-help]') && help) help.showModal();
    const tile = target.closest('.tile[data-id]');
    if (tile && tiles().indexOf(tile) >= 0) tiles().forEach(function (t) { t.tabIndex = t === tile ? 0 : -1; });
  });

  // Live updates: the stream says "changed", the page fetches its own <main> again and keeps focus and marks.
  let refreshing = false;
  let again = false;
  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(window.location.href, { headers: { 'x-kiln-fragment': 'main' }, credentials: 'same-origin' })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (text) {
        if (text === null) return;
        // Read focus and marks now, not before the fetch: keys pressed meanwhile have moved them.
        const focused = current();
        const focusedId = focused ? focused.dataset.id : null;
        const hadFocus = main.contains(document.activeElement);
        const marked = Array.prototype.slice.call(main.querySelectorAll('.mark-box:checked')).map(function (b) { return b.value; });
        const before = tiles().length;
        main.innerHTML = text;
        marked.forEach(function (id) { const box = main.querySelector('.mark-box[value="' + id + '"]'); if (box) box.checked = true; });
        const keep = focusedId && main.querySelector('.tile[data-id="' + focusedId + '"]');
        if (keep) { tiles().forEach(function (t) { t.tabIndex = t === keep ? 0 : -1; }); if (hadFocus) keep.focus({ preventScroll: true }); }
        ensureRovingFocus();
        const added = tiles().length - before;
        if (added > 0) announce(added + (added === 1 ? ' new candidate' : ' new candidates'));
      })
      .catch(function () { /* the next change event tries again */ })
      .then(function () { refreshing = false; if (again) { again = false; refresh(); } });
  }
  if (main && main.hasAttribute('data-live') && window.EventSource && !document.querySelector('form.login')) {
    const source = new EventSource('/events');
    source.addEventListener('change', refresh);
    window.addEventListener('pagehide', function () { source.close(); });
  }
  ensureRovingFocus();
})();
