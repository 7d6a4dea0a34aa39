'use strict';
// 3. Orchestration overhead: 0 ms prompts, so every millisecond is Kiln's. One worker process (the
// real bundle, default settings) on a pipeline run registered with `kiln pipeline start`; jobs per
// second from the first prompt start (emulator) to the last file (mtime), and the worker's CPU
// (utime + stime from /proc) over the same span, per job. On PostgreSQL and on the embedded database.
const path = require('node:path');
const { startEmulatorProcess, promptsOf } = require('../lib/emulator.cjs');
const os = require('node:os');
const { postgresCpuMs, runCommand, startProcess, startSampler, waitFor } = require('../lib/proc.cjs');
const { summarizeCpuProfile, newestProfile } = require('../lib/profile.cjs');
const { ROOT, tempDir, writeJobFile, createDatabase, listImages, mtimes, countImages } = require('../lib/workspace.cjs');

/**
 * Runs `jobs` 0 ms jobs through one worker; returns jobs/s, CPU ms/job and RSS samples.
 * `steps` shapes the run (counts per step, ≤ 1000 each). Stops waiting after `capMs` and reports on
 * what was done by then (marked partial).
 */
async function throughWorker(ctx, { name, jobs, steps, database, capMs, onProgress, profileDir }) {
  const emulator = await startEmulatorProcess({ name: `${name}-emulator`, durationMs: 0, logDir: ctx.logDir });
  const db = database === 'postgres' ? await createDatabase(name) : undefined;
  const dir = tempDir(name);
  const env = db ? { DATABASE_URL: db.url } : { KILN_DATA_DIR: path.join(dir, 'db') };
  let worker;
  let sampler;
  try {
    const file = writeJobFile(dir, { steps });
    const p = await runCommand(process.execPath, [ctx.bundles.kiln, 'pipeline', 'start', file, '--server', emulator.url], { env: { ...env, KILN_SKIP_BUILD: '1' }, cwd: ROOT });
    if (p.code !== 0) throw new Error(`kiln pipeline start exited ${p.code}: ${p.stderr || p.stdout}`);
    const since = Date.now();
    const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    worker = startProcess(`${name}-worker`, process.execPath, [...profile, ctx.bundles.worker], {
      env: { ...env, COMFYUI_BASE_URL: emulator.url, KILN_METRICS_PORT: '0', KILN_GALLERY_PORT: '0', COMFYUI_SUBMIT_INTERVAL: '1' },
      cwd: ROOT,
      logDir: ctx.logDir,
    });
    sampler = startSampler({ worker: worker.pid, emulator: emulator.pid, ...(db ? { postgres: postgresCpuMs } : {}) }, 100);
    const out = path.join(dir, 'out');
    const started = Date.now();
    let partial = false;
    try {
      await waitFor(`${jobs} images`, () => {
        if (worker.exit) throw new Error(`worker exited: ${worker.log().slice(-2000)}`);
        const n = countImages(out);
        onProgress?.(n, sampler);
        return n >= jobs;
      }, { timeoutMs: capMs, everyMs: 100 });
    } catch (error) {
      if (!/timed out/.test(error.message)) throw error;
      partial = true;
    }
    sampler.stop();
    const files = mtimes(listImages(out));
    const prompts = promptsOf(await emulator.history()).filter((x) => x.start >= since);
    const first = Math.min(...prompts.map((x) => x.start));
    const last = Math.max(...files.map((f) => f.mtime));
    const cpuOf = (name) => (sampler.at(name, last)?.cpuMs ?? NaN) - (sampler.at(name, first)?.cpuMs ?? NaN);
    const cpu = cpuOf('worker');
    return {
      done: files.length,
      partial,
      wallMs: last - first,
      elapsedMs: Date.now() - started,
      jobsPerSecond: (files.length * 1000) / (last - first),
      cpuMsPerJob: cpu / files.length,
      emulatorCpuMsPerJob: cpuOf('emulator') / files.length,
      postgresCpuMsPerJob: db ? cpuOf('postgres') / files.length : undefined,
      sampler,
      emulator: { rssMiB: emulator.rssMiB(), historySize: (await emulator.stats()).historySize },
    };
  } finally {
    if (worker) await worker.stop();
    sampler?.stop();
    await emulator.stop();
    await db?.drop();
  }
}

async function overhead(ctx) {
  const jobs = ctx.quick ? 20 : 2000;
  const steps = ctx.quick ? [10, 10] : [1000, 1000];
  const rows = [];
  // The full run profiles a separate run (the profiler slows the worker a little); the quick smoke
  // test profiles its PostgreSQL run itself, one process start fewer.
  const profileDir = tempDir('overhead-profile');
  for (const database of ['postgres', 'embedded']) {
    const profiling = ctx.quick && database === 'postgres' ? { profileDir } : {};
    const r = await throughWorker(ctx, { name: `overhead_${database}`, jobs, steps, database, capMs: ctx.quick ? 20_000 : 90_000, ...profiling });
    ctx.detail(`overhead ${database}`, { ...r, sampler: undefined });
    const label = `${database === 'postgres' ? 'PostgreSQL' : 'embedded'}, ${r.partial ? `${r.done} of ${jobs} (stopped at the time cap)` : `${jobs}`} jobs of 0 ms`;
    rows.push(
      { name: `throughput, 1 worker, ${label}`, value: r.jobsPerSecond, unit: 'jobs/s', target: database === 'postgres' ? '>= 200' : '', pass: database === 'postgres' ? r.jobsPerSecond >= 200 : null },
      { name: `worker CPU per job, ${database === 'postgres' ? 'PostgreSQL' : 'embedded'}`, value: r.cpuMsPerJob, unit: 'ms', target: '', pass: null },
    );
    if (database === 'postgres') {
      // The three processes share the machine's cores: their CPU per job bounds the rate, whatever the code does between them.
      const total = r.cpuMsPerJob + r.emulatorCpuMsPerJob + r.postgresCpuMsPerJob;
      const cores = os.cpus().length;
      rows.push(
        { name: 'emulator CPU per job (the stand-in GPU server)', value: r.emulatorCpuMsPerJob, unit: 'ms', target: '', pass: null },
        { name: 'PostgreSQL CPU per job (all its processes)', value: r.postgresCpuMsPerJob, unit: 'ms', target: '', pass: null },
        { name: `CPU ceiling: ${cores} cores ÷ (worker + emulator + PostgreSQL) CPU per job`, value: (cores * 1000) / total, unit: 'jobs/s', target: '', pass: null },
      );
    }
  }
  // Where the worker's time goes.
  const profiled = ctx.quick ? jobs : 600;
  if (!ctx.quick) await throughWorker(ctx, { name: 'overhead_profile', jobs: profiled, steps: [profiled / 2, profiled / 2], database: 'postgres', capMs: 60_000, profileDir });
  const summary = summarizeCpuProfile(newestProfile(profileDir));
  ctx.detail('overhead profile', { jobs: profiled, profileDir, summary });
  rows.push({
    name: `profile of the worker, ${profiled} jobs on PostgreSQL (share of its wall time)`,
    value: summary.map((s) => `${s.name} ${(100 * s.share).toFixed(0)}%`).join(' · '),
    unit: '',
    target: '',
    pass: null,
  });
  return rows;
}

module.exports = { overhead };
