#!/usr/bin/env node
'use strict';
// Kiln's benchmark suite: `npm run bench` (all six measures, < 10 min) or `npm run bench -- --quick`
// (smaller counts, < 60 s; the CI smoke test). Prints a table and writes bench/results/latest.json and
// latest.md (the quick variant writes quick.tmp.json / quick.tmp.md, not committed).
// Exit code: 1 only when a bench could not run (an error), never because a figure missed its target.
// `--only=keep-busy,latency` runs some measures.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { buildBundles, tempDir } = require('./lib/workspace.cjs');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');

const measures = [
  ['keep-busy', () => require('./measures/keep-busy.cjs').singleServer],
  ['keep-busy-pool', () => require('./measures/keep-busy.cjs').pool],
  ['keep-busy-mixed', () => require('./measures/keep-busy-mixed.cjs').mixedPool],
  ['latency', () => require('./measures/latency.cjs').latency],
  ['overhead', () => require('./measures/overhead.cjs').overhead],
  ['memory', () => require('./measures/memory.cjs').memory],
  ['startup', () => require('./measures/startup.cjs').startup],
  ['gallery', () => require('./measures/gallery.cjs').gallery],
];

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}, PostgreSQL on 127.0.0.1`;
}

function format(value) {
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

/** Long text values (e.g. a profile summary) are listed under the table, not in a cell. */
const LONG = 40;

function table(rows) {
  const cells = rows.map((r) => [r.name, format(r.value).length > LONG ? '(below)' : format(r.value), r.unit, r.target || '—', r.pass === null ? 'info' : r.pass ? 'PASS' : 'MISS']);
  const head = ['measure', 'value', 'unit', 'target', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((x, i) => (i === 1 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join('  ');
  const notes = rows.filter((r) => format(r.value).length > LONG).map((r) => `${r.name}:\n  ${format(r.value)}`);
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), '', ...notes].join('\n');
}

function markdown(result) {
  const rows = result.rows.map((r) => `| ${r.name} | ${format(r.value)} | ${r.unit} | ${r.target || '—'} | ${r.pass === null ? 'info' : r.pass ? 'pass' : '**miss**'} |`);
  return [
    `Machine: ${result.machine}  `,
    `Date: ${result.date}${result.quick ? ' (quick run: small counts)' : ''}, ${(result.durationMs / 1000).toFixed(0)} s`,
    '',
    '| measure | value | unit | target | result |',
    '|---|---:|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

async function main() {
  const started = Date.now();
  const loadAtStart = os.loadavg();
  const logDir = tempDir('logs');
  const details = {};
  process.stdout.write(`kiln bench${quick ? ' --quick' : ''}: logs in ${logDir}\n`);
  const bundles = await buildBundles();
  const ctx = { quick, bundles, logDir, detail: (key, value) => (details[key] = value) };
  const rows = [];
  const errors = [];
  for (const [name, load] of measures) {
    if (only && !only.includes(name)) continue;
    const t = Date.now();
    process.stdout.write(`• ${name}… `);
    try {
      const got = await load()(ctx);
      rows.push(...got);
      process.stdout.write(`${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      errors.push({ name, error });
      rows.push({ name: `${name}: ERROR`, value: String(error.message).split('\n')[0].slice(0, 120), unit: '', target: '', pass: false });
      process.stdout.write(`failed after ${((Date.now() - t) / 1000).toFixed(1)} s: ${error.stack}\n`);
    }
  }
  details.loadAverage = { atStart: loadAtStart, atEnd: os.loadavg() };
  const result = { machine: machine(), date: new Date().toISOString(), quick, durationMs: Date.now() - started, rows, details };
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const base = quick ? 'quick.tmp' : only ? 'partial.tmp' : 'latest';
  fs.writeFileSync(path.join(dir, `${base}.json`), `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, `${base}.md`), markdown(result));
  process.stdout.write(`\n${table(rows)}\n\n${result.machine}\n${(result.durationMs / 1000).toFixed(0)} s; written bench/results/${base}.json and .md\n`);
  if (errors.length) {
    process.stdout.write(`${errors.length} bench(es) failed to run: ${errors.map((e) => e.name).join(', ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
