'use strict';
// 1b. Keep-busy across a heterogeneous pool: two emulators offer only an SDXL checkpoint, two only a
// Flux UNET; one pipeline mixes both kinds. Each job may run only where its model is, so this shows
// that routing keeps every server busy with work it can run, and that no job is misrouted or failed.
// Figures come from the emulators' histories, the files' mtimes and the job table, as in keep-busy.
const fs = require('node:fs');
const path = require('node:path');
const { startEmulatorProcess, promptsOf } = require('../lib/emulator.cjs');
const { runCommand, startProcess, waitFor } = require('../lib/proc.cjs');
const { ROOT, tempDir, createDatabase, listImages, mtimes, sidecar, countImages } = require('../lib/workspace.cjs');
const { overlapWithUnion } = require('./keep-busy.cjs');

const PROMPT_MS = 250;
const FLUX_WORKFLOW = path.join(ROOT, 'tools/testing/fixtures/workflow-corpus/flux-dev-subgraph.api.json');
const SDXL_ARGS = ['--checkpoints', 'sd_xl_base_1.0.safetensors', '--models', 'diffusion_models='];
const FLUX_ARGS = ['--checkpoints', 'none-here.safetensors', '--models', 'diffusion_models=flux1-dev.safetensors'];

/** Steps alternating SDXL (built-in txt2img) and Flux (the UNET graph), `perStep` images each. */
function writeMixedJobFile(dir, steps, perStep) {
  fs.copyFileSync(FLUX_WORKFLOW, path.join(dir, 'flux.api.json'));
  const lines = [
    'version: 1',
    'output: { dir: out }',
    'workflows:',
    '  flux: { file: flux.api.json, bind: { prompt: "6.inputs.text", seed: "57:25.inputs.noise_seed", width: "57:27.inputs.width", height: "57:27.inputs.height", steps: "57:17.inputs.steps" } }',
    'defaults: { width: 64, height: 64, steps: 1, seed: 7, timeout: 600 }',
    'steps:',
  ];
  for (let i = 0; i < steps; i++) {
    const flux = i % 2 === 1;
    lines.push(`  - name: ${flux ? 'flux' : 'sdxl'} ${i}`, `    prompt: bench step ${i}`, `    count: ${perStep}`);
    lines.push(flux ? '    workflow: flux' : '    checkpoint: sd_xl_base_1.0.safetensors');
  }
  const file = path.join(dir, 'jobs.yaml');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function mixedPool(ctx) {
  const items = ctx.quick ? 16 : 400;
  const db = await createDatabase('mixed');
  const emulators = [];
  const workers = [];
  try {
    const kinds = ['sdxl', 'sdxl', 'flux', 'flux'];
    for (const [i, kind] of kinds.entries()) {
      emulators.push(await startEmulatorProcess({ name: `mixed-emulator-${i}-${kind}`, durationMs: PROMPT_MS, logDir: ctx.logDir, extraArgs: kind === 'sdxl' ? SDXL_ARGS : FLUX_ARGS }));
    }
    const urls = emulators.map((e) => e.url);
    const kindOf = new Map(urls.map((url, i) => [url, kinds[i]]));
    const dir = tempDir('mixed');
    const file = writeMixedJobFile(dir, 4, items / 4);
    const env = { DATABASE_URL: db.url, KILN_SKIP_BUILD: '1', NO_COLOR: '1' };
    const m = await runCommand(process.execPath, [ctx.bundles.worker, '--migrate-only'], { env: { ...env, COMFYUI_BASE_URL: urls.join(',') }, cwd: ROOT });
    if (m.code !== 0) throw new Error(`worker --migrate-only exited ${m.code}: ${m.stderr}`);
    const workerEnv = { ...env, COMFYUI_BASE_URL: urls.join(','), KILN_METRICS_PORT: '0', KILN_GALLERY_PORT: '0', COMFYUI_SUBMIT_INTERVAL: '1', COMFYUI_POLL_INTERVAL: '5' };
    for (let i = 0; i < 2; i++) workers.push(startProcess(`mixed-worker-${i}`, process.execPath, [ctx.bundles.worker], { env: workerEnv, cwd: ROOT, logDir: ctx.logDir }));
    await waitFor('both workers to start', () => workers.every((w) => /job engine started|worker started/.test(w.log())), { timeoutMs: 30_000 });
    const since = Date.now();
    // The preflight of `pipeline start` passes: every step runs on two of the four servers.
    const p = await runCommand(process.execPath, [ctx.bundles.kiln, 'pipeline', 'start', file, '--server', urls.join(',')], { env, cwd: ROOT });
    if (p.code !== 0) throw new Error(`kiln pipeline start exited ${p.code}: ${p.stderr || p.stdout}`);
    const out = path.join(dir, 'out');
    await waitFor(`${items} images from the mixed pool`, async () => {
      for (const w of workers) if (w.exit) throw new Error(`${w.name} exited: ${w.log().slice(-2000)}`);
      const [{ failed }] = await db.query(`SELECT count(*)::int AS failed FROM comfyui_jobs WHERE status = 'failed'`);
      if (failed > 0) throw new Error(`${failed} job(s) failed in the mixed pool`);
      return countImages(out) >= items;
    }, { timeoutMs: ctx.quick ? 90_000 : 300_000, everyMs: 250 });

    const files = mtimes(listImages(out)).map((f) => ({ ...f, server: sidecar(f.file).server }));
    const jobs = await db.query(`SELECT prompt_id AS id, server, status, job_payload->>'outputName' AS output, extract(epoch from submitted_at) * 1000 AS submitted FROM comfyui_jobs`);
    const misrouted = jobs.filter((j) => kindOf.get(j.server) !== (j.output.startsWith('flux') ? 'flux' : 'sdxl')).length;
    const failed = jobs.filter((j) => j.status === 'failed').length;
    const submittedAt = new Map(jobs.map((j) => [j.id, Number(j.submitted)]));
    const perServer = [];
    const runs = {};
    for (const [i, url] of urls.entries()) {
      const prompts = promptsOf(await emulators[i].history()).filter((x) => x.start >= since && x.success);
      runs[url] = prompts;
      const mine = files.filter((f) => f.server === url);
      const first = Math.min(...prompts.map((x) => x.start));
      const last = Math.max(...mine.map((f) => f.mtime));
      const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
      perServer.push({
        server: url,
        kind: kinds[i],
        prompts: prompts.length,
        files: mine.length,
        wallMs: last - first,
        value: (prompts.length * PROMPT_MS) / (last - first),
        // Where the rest of the wall went: the emulator's own time per prompt, and the gaps between prompts.
        meanPromptMs: mean(prompts.map((x) => x.success - x.start)),
        meanGapMs: mean(prompts.slice(1).map((x, k) => x.start - prompts[k].success)),
      });
    }
    // Idle for want of work while a prompt this server could run (same kind) waited on another server.
    let idleWhileQueued = 0;
    for (const [url, prompts] of Object.entries(runs)) {
      const waits = Object.entries(runs)
        .filter(([other]) => other !== url && kindOf.get(other) === kindOf.get(url))
        .flatMap(([, ps]) => ps.map((x) => [submittedAt.get(x.id) ?? x.start, x.start]))
        .filter(([a, b]) => b > a);
      for (let k = 1; k < prompts.length; k++) {
        const [gapStart, gapEnd] = [prompts[k - 1].success, prompts[k].start];
        if ((submittedAt.get(prompts[k].id) ?? 0) <= gapStart) continue;
        idleWhileQueued += overlapWithUnion(gapStart, gapEnd, waits);
      }
    }
    const worst = perServer.reduce((a, b) => (b.value < a.value ? b : a));
    ctx.detail('keep-busy mixed pool', { perServer, misrouted, failed, idleWhileQueuedMs: idleWhileQueued });
    return [
      {
        name: `keep-busy: mixed pool (2 SDXL-only + 2 Flux-only servers), 2 workers, ${items} × ${PROMPT_MS} ms (worst server)`,
        value: worst.value,
        unit: 'ratio',
        target: '>= 0.95',
        pass: worst.value >= 0.95,
      },
      { name: 'keep-busy: mixed pool, per server (sdxl / sdxl / flux / flux)', value: perServer.map((s) => s.value.toFixed(3)).join(' / '), unit: 'ratio', target: '>= 0.95 each', pass: perServer.every((s) => s.value >= 0.95) },
      { name: 'mixed pool: jobs on a server without their model / failed', value: `${misrouted} / ${failed}`, unit: 'jobs', target: '0 / 0', pass: misrouted === 0 && failed === 0 },
      { name: 'mixed pool: server idle while a prompt it could run waited on another', value: idleWhileQueued, unit: 'ms', target: '<= 1% of wall', pass: idleWhileQueued <= 0.01 * worst.wallMs },
    ];
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(emulators.map((e) => e.stop()));
    await db.drop();
  }
}

module.exports = { mixedPool };
