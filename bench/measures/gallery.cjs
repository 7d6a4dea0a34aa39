'use strict';
// 6. Gallery: a pipeline run of 2,000 candidates (1024×1024 PNGs) served by `kiln gallery` on
// PostgreSQL, opened in headless Chromium (Debian's package): time to first contentful paint of the
// run page, and what a thumbnail costs the gallery to make (wall and CPU per image, sharp → WebP)
// against serving it from its disk cache.
const fs = require('node:fs');
const path = require('node:path');
const { cpuMs, runCommand, startProcess, waitFor } = require('../lib/proc.cjs');
const { ROOT, createDatabase, percentile, tempDir } = require('../lib/workspace.cjs');

const CANDIDATES = 2000;

function chromiumPath() {
  const found = [process.env.KILN_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean).find((p) => fs.existsSync(p));
  if (!found) throw new Error("no Chromium: install Debian's chromium package (apt-get install chromium) or set KILN_CHROMIUM");
  return found;
}

/** One noisy 1024×1024 PNG (noise: no compression shortcut), hard-linked as every candidate's file. */
async function writeImages(dir, count) {
  const sharp = require('sharp');
  const pixels = Buffer.alloc(1024 * 1024 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  const source = path.join(dir, 'source.png');
  await sharp(pixels, { raw: { width: 1024, height: 1024, channels: 3 } }).png().toFile(source);
  fs.mkdirSync(path.join(dir, 'base'), { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const file = path.join(dir, 'base', `candidate-${i}.png`);
    fs.linkSync(source, file);
    return file;
  });
}

async function seedRun(db, folder, files) {
  const [run] = await db.query(
    `INSERT INTO pipeline_runs (name, kind, status, target_folder, spec) VALUES ('bench-gallery', 'pipeline', 'active', $1, '{}') RETURNING id`,
    [folder],
  );
  const [step] = await db.query(
    `INSERT INTO pipeline_steps (run_id, name, position, workflow, params, base_count, children_per_selected, naming)
     VALUES ($1, 'base', 0, '"txt2img"', '{}', $2, 2, 'unique') RETURNING id`,
    [run.id, files.length],
  );
  await db.query(
    `INSERT INTO image_candidates (run_id, step_id, generation, index, image_path, seed, metadata, created_at)
     SELECT $1, $2, 0, i, $3 || '/base/candidate-' || i || '.png', i, '{}', now() + i * interval '1 ms' FROM generate_series(0, $4 - 1) AS i`,
    [run.id, step.id, folder, files.length],
  );
  const ids = await db.query(`SELECT id FROM image_candidates WHERE run_id = $1 ORDER BY created_at`, [run.id]);
  return { runId: run.id, candidateIds: ids.map((r) => r.id) };
}

async function firstPaint(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(url, { waitUntil: 'load' });
    const paint = await page.evaluate(`performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN`);
    const tiles = await page.locator('.tile[data-id]').count();
    return { paint, tiles };
  } finally {
    await page.close();
  }
}

async function gallery(ctx) {
  const db = await createDatabase('gallery');
  const folder = tempDir('gallery');
  let server;
  let browser;
  try {
    const env = { DATABASE_URL: db.url, KILN_DATA_DIR: path.join(folder, 'unused-db') };
    const m = await runCommand(process.execPath, [ctx.bundles.worker, '--migrate-only'], { env, cwd: ROOT });
    if (m.code !== 0) throw new Error(`worker --migrate-only exited ${m.code}: ${m.stderr}`);
    const files = await writeImages(folder, CANDIDATES);
    const { runId, candidateIds } = await seedRun(db, folder, files);

    server = startProcess('gallery', process.execPath, [ctx.bundles.kiln, 'gallery', '--port', '0'], { env, cwd: ROOT, logDir: ctx.logDir });
    const base = await waitFor('the gallery URL', () => /on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.log())?.[1], { timeoutMs: 30_000 });

    const { chromium } = require('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
    const reps = ctx.quick ? 2 : 7;
    const paints = [];
    let tiles = 0;
    // The first load makes the visible thumbnails (cold); the later ones find them on disk.
    for (let i = 0; i < reps; i++) {
      const got = await firstPaint(browser, `${base}/runs/${runId}`);
      paints.push(got.paint);
      tiles = got.tiles;
    }

    const sample = candidateIds.slice(CANDIDATES - (ctx.quick ? 20 : 200));
    const fetchAll = async () => {
      const cpuBefore = cpuMs(server.pid);
      const started = performance.now();
      for (const id of sample) {
        const res = await fetch(`${base}/candidates/${id}/thumbnail`);
        if (res.status !== 200) throw new Error(`thumbnail of ${id}: HTTP ${res.status}`);
        await res.arrayBuffer();
      }
      return { wall: (performance.now() - started) / sample.length, cpu: (cpuMs(server.pid) - cpuBefore) / sample.length };
    };
    const cold = await fetchAll();
    const warm = await fetchAll();
    const paintMs = percentile(paints, 50);
    ctx.detail('gallery', { paints, tilesOnPage: tiles, thumbnails: sample.length, cold, warm });
    return [
      { name: `gallery: run page of ${CANDIDATES} candidates, first contentful paint (median of ${reps}, ${tiles} tiles a page)`, value: paintMs, unit: 'ms', target: '<= 1000', pass: paintMs <= 1000 },
      { name: `gallery: thumbnail made (1024² PNG → 320 px WebP), ${sample.length} in a row: wall per image`, value: cold.wall, unit: 'ms', target: '', pass: null },
      { name: 'gallery: thumbnail made: gallery CPU per image', value: cold.cpu, unit: 'ms', target: '', pass: null },
      { name: 'gallery: thumbnail from the disk cache: wall per image', value: warm.wall, unit: 'ms', target: '', pass: null },
    ];
  } finally {
    await browser?.close();
    await server?.stop();
    await db.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

module.exports = { gallery };
