'use strict';
// 4. Memory: 10,000 jobs of 0 ms through one worker (PostgreSQL). RSS of the worker and of the
// emulator after 1,000 and after 10,000 jobs.
//
// Workload shape: runs of 100 images, at most two active at once; the bench marks a run `completed`
// once its 100 images are recorded and adds the next (a copy of the first, by SQL). A worker keeps
// every pipeline run active (a person may still select candidates) and SelectNextJob walks every
// step of every active run and loads each step's candidates, so one 10,000-image run would measure
// that O(n²) selection (see the overhead rows) rather than whether anything accumulates per job.
const path = require('node:path');
const { startEmulatorProcess } = require('../lib/emulator.cjs');
const { runCommand, startProcess, startSampler, waitFor, sleep } = require('../lib/proc.cjs');
const { ROOT, tempDir, writeJobFile, createDatabase } = require('../lib/workspace.cjs');

const PER_RUN = 100;

async function memory(ctx) {
  const total = ctx.quick ? 200 : 10_000;
  const early = ctx.quick ? 100 : 1000;
  const emulator = await startEmulatorProcess({ name: 'memory-emulator', durationMs: 0, logDir: ctx.logDir });
  const db = await createDatabase('memory');
  const dir = tempDir('memory');
  let worker;
  let sampler;
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

    worker = startProcess('memory-worker', process.execPath, [ctx.bundles.worker], {
      env: { ...env, COMFYUI_BASE_URL: emulator.url, KILN_METRICS_PORT: '0', COMFYUI_SUBMIT_INTERVAL: '1' },
      cwd: ROOT,
      logDir: ctx.logDir,
    });
    sampler = startSampler({ worker: worker.pid, emulator: emulator.pid }, 500);
    const at = {};
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
        if (done >= early && !at.early) {
          sampler.take();
          at.early = { done, worker: sampler.samples.at(-1).worker, emulator: sampler.samples.at(-1).emulator, stats: await emulator.stats() };
        }
        return done >= total;
      },
      { timeoutMs: ctx.quick ? 20_000 : 240_000, everyMs: 200 },
    ).catch((error) => {
      // Out of time: report what was reached (the row names say so) rather than nothing.
      if (!/timed out/.test(error.message) || !at.early) throw error;
      partial = true;
    });
    // Let the worker settle (timers, GC) before the last reading, like the early one had traffic after it.
    await sleep(500);
    sampler.take();
    at.late = { done, worker: sampler.samples.at(-1).worker, emulator: sampler.samples.at(-1).emulator, stats: await emulator.stats() };
    ctx.detail('memory', { early: at.early, late: at.late, listenerWarnings: /MaxListenersExceeded/.test(worker.log()) });
    const growth = at.late.worker.rssMiB / at.early.worker.rssMiB - 1;
    const emuGrowth = at.late.emulator.rssMiB / at.early.emulator.rssMiB - 1;
    return [
      { name: `worker RSS after ${early} jobs`, value: at.early.worker.rssMiB, unit: 'MiB', target: '', pass: null },
      { name: `worker RSS after ${done} jobs${partial ? ` (of ${total}: stopped at the time cap)` : ''}`, value: at.late.worker.rssMiB, unit: 'MiB', target: '', pass: null },
      { name: `worker RSS growth ${early} → ${done} jobs`, value: 100 * growth, unit: '%', target: '<= 20', pass: growth <= 0.2 },
      { name: `emulator RSS after ${early} → ${done} jobs`, value: `${at.early.emulator.rssMiB.toFixed(0)} → ${at.late.emulator.rssMiB.toFixed(0)}`, unit: 'MiB', target: '', pass: null },
      { name: `emulator RSS growth (history kept: ${at.late.stats.historySize} entries)`, value: 100 * emuGrowth, unit: '%', target: '', pass: null },
    ];
  } finally {
    if (worker) await worker.stop();
    sampler?.stop();
    await emulator.stop();
    await db.drop();
  }
}

module.exports = { memory };
