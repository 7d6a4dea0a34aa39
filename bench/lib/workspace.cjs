'use strict';
// What every bench needs: the bundles, job files, databases, output files and statistics.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist/bench');
const CHECKPOINT = 'v1-5-pruned-emaonly.safetensors';
const PG_URL = process.env.KILN_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Builds the CLI, the worker and the bench's own TypeScript tools with the apps' esbuild bundler. */
async function buildBundles() {
  const { buildApp } = require(path.join(ROOT, 'tools/build/build-app.cjs'));
  const { apps } = require(path.join(ROOT, 'tools/build/apps.cjs'));
  await buildApp(apps.cli);
  await buildApp(apps.worker);
  await buildApp({ entry: 'bench/src/loops.ts', outfile: 'dist/bench/loops.js' });
  return {
    kiln: path.join(ROOT, 'bin/kiln.cjs'),
    worker: path.join(ROOT, 'dist/apps/worker/main.js'),
    loops: path.join(DIST, 'loops.js'),
  };
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `kiln-bench-${prefix}-`));
}

/**
 * A job file. `items: n` → a batch of n one-image items (kiln run); `steps: [count, …]` → a pipeline
 * for the worker. Tiny images and one sampler step: the emulator's duration is the "GPU" time.
 */
function writeJobFile(dir, { items, steps, outDir = 'out', seed = 7 }) {
  const lines = [
    'version: 1',
    'output:',
    `  dir: ${outDir}`,
    'defaults:',
    `  checkpoint: ${CHECKPOINT}`,
    '  width: 64',
    '  height: 64',
    '  steps: 1',
    `  seed: ${seed}`,
    '  timeout: 600',
  ];
  if (items) {
    lines.push('items:');
    for (let i = 0; i < items; i++) lines.push(`  - name: item ${i}`, `    prompt: bench prompt ${i}`);
  } else {
    lines.push('steps:');
    steps.forEach((count, i) => lines.push(`  - name: step ${i}`, `    prompt: bench step ${i}`, `    count: ${count}`));
  }
  const file = path.join(dir, 'jobs.yaml');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A PostgreSQL database of its own for one bench; `drop()` removes it. */
async function createDatabase(name) {
  const { Client } = require('pg');
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  const db = `kiln_bench_${name}_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${db}`);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${db}`;
  return {
    url: url.toString(),
    async query(sql, params) {
      const client = new Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async drop() {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Every finished image under `dir` (recursively): path and mtime in ms. Temp files are left out. */
function listImages(dir) {
  const found = [];
  const walk = (d) => {
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.png')) found.push(p);
    }
  };
  walk(dir);
  return found;
}

function countImages(dir) {
  return listImages(dir).length;
}

function mtimes(files) {
  return files.map((f) => ({ file: f, mtime: fs.statSync(f).mtimeMs }));
}

/** Sidecar of an image (`x.png` → `x.json`): server, prompt id… */
function sidecar(file) {
  return JSON.parse(fs.readFileSync(file.replace(/\.png$/, '.json'), 'utf8'));
}

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

module.exports = { ROOT, buildBundles, tempDir, writeJobFile, createDatabase, listImages, countImages, mtimes, sidecar, percentile };
