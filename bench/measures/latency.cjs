'use strict';
// 2. Completion-to-file latency: the emulator's `execution_success` timestamp (its history) → the
// image's mtime (written, then renamed into place) and → the job's processed_at (committed).
// JobEngine runs in its own process (dist/bench/loops.js engine), with WebSocket events and
// polling only; the emulator in another.
const path = require('node:path');
const { startEmulatorProcess, promptsOf } = require('../lib/emulator.cjs');
const { runCommand } = require('../lib/proc.cjs');
const { ROOT, tempDir, writeJobFile, createDatabase, listImages, mtimes, sidecar, percentile } = require('../lib/workspace.cjs');

const PROMPT_MS = 50;
const POLL_MS = 100;

async function measure(ctx, emulator, jobs, events) {
  const db = await createDatabase(`latency_${events ? 'ws' : 'poll'}`);
  try {
    const dir = tempDir('latency');
    const file = writeJobFile(dir, { steps: [jobs] });
    const r = await runCommand(
      process.execPath,
      [ctx.bundles.loops, 'engine', '--server', emulator.url, '--spec', file, '--events', events ? 'on' : 'off', '--poll-ms', String(events ? 5000 : POLL_MS), '--submit-ms', '10000'],
      { env: { DATABASE_URL: db.url }, cwd: ROOT, timeoutMs: 300_000 },
    );
    if (r.code !== 0) throw new Error(`engine exited ${r.code}: ${r.stderr.slice(-2000)}`);
    const success = new Map(promptsOf(await emulator.history()).map((p) => [p.id, p.success]));
    const files = mtimes(listImages(path.join(dir, 'out')));
    const toFile = files.map((f) => f.mtime - success.get(sidecar(f.file).promptId));
    const rows = await db.query(`SELECT prompt_id AS id, extract(epoch from processed_at) * 1000 AS processed FROM comfyui_jobs WHERE processed_at IS NOT NULL`);
    const toCommit = rows.map((row) => Number(row.processed) - success.get(row.id));
    if (toFile.length !== jobs || toFile.some((x) => !Number.isFinite(x))) throw new Error(`expected ${jobs} images with a history entry, got ${toFile.length}`);
    return { toFile, toCommit };
  } finally {
    await db.drop();
  }
}

async function latency(ctx) {
  const jobs = ctx.quick ? 15 : 200;
  const emulator = await startEmulatorProcess({ name: 'latency-emulator', durationMs: PROMPT_MS, logDir: ctx.logDir });
  try {
    const ws = await measure(ctx, emulator, jobs, true);
    const poll = await measure(ctx, emulator, jobs, false);
    const stat = (xs) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), max: Math.max(...xs) });
    ctx.detail('latency', { ws: { file: stat(ws.toFile), commit: stat(ws.toCommit) }, poll: { file: stat(poll.toFile), commit: stat(poll.toCommit) } });
    const p95 = percentile(ws.toCommit, 95);
    return [
      { name: `latency success→file, WebSocket events, ${jobs} jobs: p50`, value: percentile(ws.toFile, 50), unit: 'ms', target: '', pass: null },
      { name: 'latency success→file, WebSocket events: p95', value: percentile(ws.toFile, 95), unit: 'ms', target: '<= 50', pass: percentile(ws.toFile, 95) <= 50 },
      { name: 'latency success→job committed, WebSocket events: p50', value: percentile(ws.toCommit, 50), unit: 'ms', target: '', pass: null },
      { name: 'latency success→job committed, WebSocket events: p95', value: p95, unit: 'ms', target: '<= 50', pass: p95 <= 50 },
      { name: `latency success→file, polling only (every ${POLL_MS} ms): p50`, value: percentile(poll.toFile, 50), unit: 'ms', target: '', pass: null },
      { name: `latency success→file, polling only (every ${POLL_MS} ms): p95`, value: percentile(poll.toFile, 95), unit: 'ms', target: '', pass: null },
      { name: 'latency success→job committed, polling only: p95', value: percentile(poll.toCommit, 95), unit: 'ms', target: '', pass: null },
    ];
  } finally {
    await emulator.stop();
  }
}

module.exports = { latency };
