'use strict';
// 4. Memory: 10,000 jobs of 0 ms through one worker (PostgreSQL). RSS of the worker and of the
// emulator after 1,000 and after 10,000 jobs. One RSS reading moves ±15% with when V8 last grew or
// shrank its heap, so each figure is the median of the readings over the next 1,000 jobs (resp. the
// last 1,000), taken every 200 ms; the live JS heap (the lowest heap-used reading of the worker's
// own /metrics in the window: right after a GC) says whether anything accumulates per job.
//
// Workload shape: runs of 100 images, at most two active at once; the bench marks a run `completed`
// once its 100 images are recorded and adds the next (a copy of the first, by SQL). A worker keeps
// every pipeline run active (a person may still select candidates), so this keeps the database the
// worker reads the same size from the first window to the last: what is measured is the worker.
const path = require('node:path');
const { startEmulatorProcess } = require('../lib/emulator.cjs');
const net = require('node:net');
const { runCommand, startProcess, waitFor, rssMiB } = require('../lib/proc.cjs');
const { ROOT, tempDir, writeJobFile, createDatabase } = require('../lib/workspace.cjs');

const PER_RUN = 100;

async function memory(ctx) {
  const total = ctx.quick ? 150 : 10_000;
  const early = ctx.quick ? 50 : 1000;
  const emulator = await startEmulatorProcess({ name: 'memory-emulator', durationMs: 0, logDir: ctx.logDir });
  const db = await createDatabase('memory');
  const dir = tempDir('memory');
  let worker;
  try {
    const file = writeJobFile(dir, { steps: [PER_RUN] });
    const env = { DATABASE_URL: db.url, KILN_SKIP_BUILD: '1' };
    const p = await runCommand(process.execPath, [ctx.bundles.kiln, 'pipeline', 'start', file, '--server', emulator.url], { env, cwd: ROOT });
    if (p.code !== 0) throw new Error(`kiln pipeline start exited ${p.code}: ${p.stderr || p.stdout}`);
    const [{ id: template }] = await db.query(`UPDATE pipeline_runs SET status = 'cancelled' RETURNING id`);
    let made = 0;
    const addRun = async () => {
      made++;
      await db.query(
        `WITH r AS (
           INSERT INTO pipeline_runs (name, kind, status, target_folder, base_seed, spec)
           SELECT name || ' #' || $2::text, kind, 'active', target_folder, base_seed, spec FROM pipeline_runs WHERE id = $1
           RETURNING id)
         INSERT INTO pipeline_steps (run_id, name, position, workflow, params, base_count, children_per_selected, naming, overwrite)
         SELECT r.id, s.name, s.position, s.workflow, s.params, s.base_count, s.children_per_selected, s.naming, s.overwrite
           FROM pipeline_steps s, r WHERE s.run_id = $1`,
        [template, made],
      );
    };
    await addRun();
    await addRun();

    const metricsPort = await freePort();
    // KILN_BENCH_HEAP_SNAPSHOTS=<dir>: heap snapshots after the early and the last window, to diff by constructor.
    const snapshots = process.env.KILN_BENCH_HEAP_SNAPSHOTS;
    const snapshotArgs = snapshots ? ['--heapsnapshot-signal=SIGUSR2', '--diagnostic-dir', snapshots] : [];
    worker = startProcess('memory-worker', process.execPath, [...snapshotArgs, ctx.bundles.worker], {
      env: { ...env, COMFYUI_BASE_URL: emulator.url, KILN_METRICS_PORT: String(metricsPort), COMFYUI_SUBMIT_INTERVAL: '1' },
      cwd: ROOT,
      logDir: ctx.logDir,
    });
    const readings = [];
    let done = 0;
    let partial = false;
    await waitFor(
      `${total} jobs through one worker`,
      async () => {
        if (worker.exit) throw new Error(`worker exited: ${worker.log().slice(-2000)}`);
        const rows = await db.query(
          `SELECT r.id, count(j.id) FILTER (WHERE j.processed_at IS NOT NULL)::int AS done
             FROM pipeline_runs r LEFT JOIN comfyui_jobs j ON j.pipeline_run_id = r.id
            WHERE r.status = 'active' GROUP BY r.id`,
        );
        for (const row of rows) {
          if (row.done >= PER_RUN) {
            await db.query(`UPDATE pipeline_runs SET status = 'completed' WHERE id = $1`, [row.id]);
            if (made * PER_RUN < total) await addRun();
          }
        }
        [{ done }] = await db.query(`SELECT count(*)::int AS done FROM comfyui_jobs WHERE processed_at IS NOT NULL`);
        readings.push({ done, worker: rssMiB(worker.pid), emulator: rssMiB(emulator.pid), ...(await heapMiB(metricsPort)) });
        if (snapshots && (done >= 2 * early || done >= total) && readings.filter((r) => r.snapshot).length < (done >= total ? 2 : 1)) {
          process.kill(worker.pid, 'SIGUSR2');
          readings.at(-1).snapshot = true;
        }
        return done >= total;
      },
      { timeoutMs: ctx.quick ? 20_000 : 300_000, everyMs: 200 },
    ).catch((error) => {
      // Out of time: report what was reached (the row names say so) rather than nothing.
      if (!/timed out/.test(error.message) || done < 2 * early) throw error;
      partial = true;
    });
    const window = (from, to) => readings.filter((r) => r.done >= from && r.done < to);
    const summary = (rs) => ({
      readings: rs.length,
      worker: median(rs.map((r) => r.worker)),
      emulator: median(rs.map((r) => r.emulator)),
      heapMiB: Math.min(...rs.map((r) => r.heapMiB).filter(Number.isFinite)),
      externalMiB: median(rs.map((r) => r.externalMiB).filter(Number.isFinite)),
      heapTotalMiB: median(rs.map((r) => r.heapTotalMiB).filter(Number.isFinite)),
    });
    const at = { early: summary(window(early, 2 * early)), late: summary(window(Math.max(done - early, 2 * early), Infinity)), stats: await emulator.stats() };
    ctx.detail('memory', { ...at, listenerWarnings: /MaxListenersExceeded/.test(worker.log()) });
    const growth = at.late.worker / at.early.worker - 1;
    const emuGrowth = at.late.emulator / at.early.emulator - 1;
    const heapGrowth = at.late.heapMiB / at.early.heapMiB - 1;
    const last = `${done} jobs${partial ? ` (of ${total}: stopped at the time cap)` : ''}`;
    return [
      { name: `worker RSS after ${early} jobs (median over the next ${early})`, value: at.early.worker, unit: 'MiB', target: '', pass: null },
      { name: `worker RSS after ${last} (median over the last ${early})`, value: at.late.worker, unit: 'MiB', target: '', pass: null },
      { name: `worker RSS growth ${early} → ${done} jobs`, value: 100 * growth, unit: '%', target: '<= 20', pass: growth <= 0.2 },
      { name: `worker live JS heap after ${early} → ${done} jobs (lowest heap used in each window)`, value: `${at.early.heapMiB.toFixed(1)} → ${at.late.heapMiB.toFixed(1)}`, unit: 'MiB', target: '', pass: null },
      { name: `worker live JS heap growth ${early} → ${done} jobs`, value: 100 * heapGrowth, unit: '%', target: '', pass: null },
      { name: `worker JS heap reserved by V8 (heap total) after ${early} → ${done} jobs (medians)`, value: `${at.early.heapTotalMiB.toFixed(1)} → ${at.late.heapTotalMiB.toFixed(1)}`, unit: 'MiB', target: '', pass: null },
      { name: `worker external memory (Buffers outside the JS heap) after ${early} → ${done} jobs (medians)`, value: `${at.early.externalMiB.toFixed(1)} → ${at.late.externalMiB.toFixed(1)}`, unit: 'MiB', target: '', pass: null },
      { name: `emulator RSS after ${early} → ${done} jobs`, value: `${at.early.emulator.toFixed(0)} → ${at.late.emulator.toFixed(0)}`, unit: 'MiB', target: '', pass: null },
      { name: `emulator RSS growth (history kept: ${at.stats.historySize} entries)`, value: 100 * emuGrowth, unit: '%', target: '', pass: null },
    ];
  } finally {
    if (worker) await worker.stop();
    await emulator.stop();
    await db.drop();
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The worker's heap in use and external memory, from its own Prometheus endpoint (prom-client's process metrics). */
async function heapMiB(port) {
  const read = (text, name) => {
    const match = new RegExp(`^${name} (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)`, 'm').exec(text);
    return match ? Number(match[1]) / 2 ** 20 : NaN;
  };
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return { heapMiB: read(text, 'nodejs_heap_size_used_bytes'), heapTotalMiB: read(text, 'nodejs_heap_size_total_bytes'), externalMiB: read(text, 'nodejs_external_memory_bytes') };
  } catch {
    return { heapMiB: NaN, heapTotalMiB: NaN, externalMiB: NaN };
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

module.exports = { memory };
