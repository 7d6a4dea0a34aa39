'use strict';
// 5. Start-up: wall time of `kiln --help` and of `kiln run` of a 1-item batch against a ready
// emulator (0 ms prompts), as a user runs them (`bin/kiln.cjs`, bundle freshness check included).
// The embedded database folder exists for the measured runs; the first run on a new folder is
// reported separately. Medians of several runs.
const path = require('node:path');
const { startEmulatorProcess } = require('../lib/emulator.cjs');
const { runCommand } = require('../lib/proc.cjs');
const { ROOT, tempDir, writeJobFile, percentile } = require('../lib/workspace.cjs');

async function timed(ctx, args, env) {
  const r = await runCommand(process.execPath, [ctx.bundles.kiln, ...args], { env: { NO_COLOR: '1', ...env }, cwd: ROOT });
  if (r.code !== 0) throw new Error(`kiln ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
  return r.wallMs;
}

async function startup(ctx) {
  const reps = ctx.quick ? 1 : 7;
  const help = [];
  for (let i = 0; i < reps; i++) help.push(await timed(ctx, ['--help'], {}));

  const emulator = await startEmulatorProcess({ name: 'startup-emulator', durationMs: 0, logDir: ctx.logDir });
  try {
    const dir = tempDir('startup');
    const env = { KILN_DATA_DIR: path.join(dir, 'db') };
    const first = await timed(ctx, ['run', writeJobFile(tempDir('startup-first'), { items: 1 }), '--server', emulator.url], env);
    const runs = [];
    // The quick smoke test stops after the first run: it has exercised every step by then.
    for (let i = 0; i < (ctx.quick ? 0 : reps); i++) runs.push(await timed(ctx, ['run', writeJobFile(tempDir('startup-run'), { items: 1, seed: 100 + i }), '--server', emulator.url], env));
    ctx.detail('startup', { help, first, runs });
    const helpMs = percentile(help, 50);
    return [
      { name: `kiln --help (median of ${reps})`, value: helpMs, unit: 'ms', target: '<= 500', pass: helpMs <= 500 },
      ...(runs.length ? [folderExistsRow(runs, reps)] : []),
      { name: 'kiln run, 1 item, first run on a new database folder', value: first, unit: 'ms', target: '', pass: null },
    ];
  } finally {
    await emulator.stop();
  }
}

function folderExistsRow(runs, reps) {
  const runMs = percentile(runs, 50);
  return { name: `kiln run, 1 item, database folder exists (median of ${reps})`, value: runMs, unit: 'ms', target: '<= 1500', pass: runMs <= 1500 };
}

module.exports = { startup };
