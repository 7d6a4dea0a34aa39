import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ComfyUiJob } from '@kiln/comfyui';
import { openDatabase } from '@kiln/database';
import { ImageCandidate } from '@kiln/pipeline';
import { kilnEntities, kilnMigrations, openKilnTestDatabase, startTestEmulator, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, seriousAxeViolations } from './support/browser';
import { createRun, freePort, killAllWorkers, must, pipelineYaml, removeTempDirs, runCandidates, runJobs, spawnWorker, stopWorker, tempDir, waitFor, workerEnv, type WorkerProcess } from './support/worker-harness';

/** Screenshots go to docs/gallery/ (shown in the README) with KILN_UPDATE_SCREENSHOTS=1, else to a temp folder. */
const screenshotDir = process.env['KILN_UPDATE_SCREENSHOTS'] === '1' ? resolve(__dirname, '../../../docs/gallery') : tempDir('kiln-gallery-shots-');
const TILES = '.grid-area .tile[data-id]';

async function galleryUrl(worker: WorkerProcess): Promise<string> {
  const started = await waitFor('the worker to start its gallery', () => worker.logged('worker starting')[0], 20_000, [worker]);
  return must(started['gallery'] as string | undefined, 'the gallery URL in the start log');
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** The candidate id of the tile holding the keyboard focus. */
async function focusedTileId(page: Page): Promise<string | null> {
  return page.evaluate(`document.activeElement?.closest('.tile[data-id]')?.dataset.id ?? null`);
}

async function tileCount(page: Page): Promise<number> {
  return page.locator(TILES).count();
}

async function waitForTiles(page: Page, count: number, worker: WorkerProcess): Promise<void> {
  await waitFor(`${count} tiles on the run page`, async () => (await tileCount(page)) === count, 30_000, [worker]);
}

describe('the gallery in Chromium, served by the worker', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;
  let browser: Browser;

  beforeAll(async () => {
    [db, emulator, browser] = await Promise.all([
      openKilnTestDatabase(),
      // 400 ms a prompt, so candidates arrive while the page is open.
      startTestEmulator({ promptDurationMs: 400 }),
      launchChromium(),
    ]);
  }, 60_000);

  afterEach(async () => {
    await killAllWorkers();
    emulator.resetFaults();
  });

  afterAll(async () => {
    await killAllWorkers();
    await browser?.close();
    await emulator?.close();
    await db?.close();
    removeTempDirs();
  });

  it('shows candidates arriving live, curates by keyboard and click, shows children and lineage, retries a failed job; the database agrees', async () => {
    // The first prompt fails: a job to retry.
    emulator.setFaults({ failPrompts: 1 });
    const worker = spawnWorker(workerEnv(must(db.url, 'the test database URL'), emulator.url, { KILN_GALLERY_PORT: String(await freePort()) }));
    const gallery = await galleryUrl(worker);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(`${message.text()} ${message.location().url}`));
    page.on('pageerror', (error) => problems.push(error.message));

    // The run page is open before the worker has made anything of the run.
    const run = await createRun(db.dataSource, pipelineYaml({ steps: ['Heroes'], count: 4, children: 2 }), tempDir(), 'gallery-e2e');
    await page.goto(`${gallery}/runs/${run.id}`);
    await page.evaluate('window.kilnNoReload = true');
    const atLoad = await tileCount(page);

    // Base candidates arrive live: three made, one failed (the emulator's injected failure).
    await waitForTiles(page, 3, worker);
    expect(atLoad).toBeLessThan(3);
    expect(await page.evaluate('window.kilnNoReload')).toBe(true);
    await waitFor('the failed job in the page', async () => (await page.locator('.failed-jobs tr[data-job]').count()) === 1, 15_000, [worker]);
    const base = await runCandidates(db.dataSource, run.id);
    expect(base).toHaveLength(3);
    const tileIds = await page.locator(TILES).evaluateAll((tiles) => tiles.map((t) => (t as unknown as { dataset: { id: string } }).dataset.id));
    expect(tileIds).toEqual(base.map((c) => c.id));

    // Two selected by keyboard only, one by click.
    await page.keyboard.press('j');
    await page.keyboard.press('s');
    await waitFor('the first selection in the database', async () => (await statusOf(base[0].id)) === 'selected');
    await page.keyboard.press('j');
    await page.keyboard.press('s');
    await waitFor('the second selection in the database', async () => (await statusOf(base[1].id)) === 'selected');
    await page.locator(TILES).nth(2).getByRole('button', { name: /^Select/ }).click();
    await waitFor('the clicked selection in the database', async () => (await statusOf(base[2].id)) === 'selected');
    await waitFor('3 tiles shown as selected', async () => (await page.locator(`${TILES}[data-status="selected"]`).count()) === 3);

    // The worker makes their children without a restart; they appear live.
    await waitForTiles(page, 9, worker);
    const withChildren = await runCandidates(db.dataSource, run.id);
    expect(withChildren.filter((c) => c.generation === 1).map((c) => c.parentId).sort()).toEqual([base[0].id, base[0].id, base[1].id, base[1].id, base[2].id, base[2].id].sort());

    await waitFor('9 thumbnails loaded', async () => (await page.locator(`${TILES} img`).evaluateAll((imgs) => imgs.filter((i) => (i as unknown as { complete: boolean; naturalWidth: number }).complete && (i as unknown as { naturalWidth: number }).naturalWidth > 0).length)) === 9);
    await screenshot(page, 'run');

    // Reject a child with x, then take it back with u.
    const child = withChildren.find((c) => c.generation === 1) as ImageCandidate;
    // Keyboard only: from the clicked third tile, j walks to the child.
    for (let presses = 0; presses < 9 && (await focusedTileId(page)) !== child.id; presses++) await page.keyboard.press('j');
    expect(await focusedTileId(page)).toBe(child.id);
    await page.keyboard.press('x');
    await waitFor('the rejection in the database', async () => (await statusOf(child.id)) === 'rejected');
    await page.keyboard.press('u');
    await waitFor('the undo in the database', async () => (await statusOf(child.id)) === 'new');
    await waitFor('the tile shown as new again', async () => (await page.locator(`${TILES}[data-id="${child.id}"]`).getAttribute('data-status')) === 'new');

    // Lineage: the child's page links its parent; the parent's page lists both children.
    await page.locator(`${TILES}[data-id="${child.id}"] a.thumb`).click();
    await page.waitForURL(`${gallery}/candidates/${child.id}`);
    await page.locator(`#lineage a[href="/candidates/${child.parentId}"]`).click();
    await page.waitForURL(`${gallery}/candidates/${child.parentId}`);
    const siblings = withChildren.filter((c) => c.parentId === child.parentId).map((c) => c.id).sort();
    const listed = await page.locator('#lineage .tile[data-id]').evaluateAll((tiles) => tiles.map((t) => (t as unknown as { dataset: { id: string } }).dataset.id));
    expect(listed.sort()).toEqual(siblings);
    await screenshot(page, 'candidate');

    // Retry the failed job from the run page: it is queued again and its image arrives.
    await page.goto(`${gallery}/runs/${run.id}`);
    const [failed] = (await runJobs(db.dataSource, run.id)).filter((j) => j.status === 'failed');
    await page.locator(`.failed-jobs tr[data-job="${failed.id}"]`).getByRole('button', { name: /^Retry/ }).click();
    await waitFor('the retried job to leave failed', async () => (await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: failed.id })).status !== 'failed');
    await waitForTiles(page, 10, worker);
    expect((await runCandidates(db.dataSource, run.id)).length).toBe(10);
    expect((await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: failed.id })).candidateId).not.toBeNull();
    await waitFor('no failed jobs on the page', async () => (await page.locator('.failed-jobs tr[data-job]').count()) === 0);

    // A run registered while the runs page is open appears there without a reload.
    await page.goto(gallery);
    await page.evaluate('window.kilnNoReload = true');
    const later = await createRun(db.dataSource, pipelineYaml({ steps: ['Sidekicks'], count: 1 }), tempDir(), 'gallery-e2e-later');
    await page.locator(`a[href="/runs/${later.id}"]`).waitFor({ timeout: 15_000 });
    expect(await page.evaluate('window.kilnNoReload')).toBe(true);
    await screenshot(page, 'runs');

    expect(problems).toEqual([]);
  }, 90_000);

  it('passes axe (no serious or critical violations) on every page, and the keyboard help opens and closes', async () => {
    const worker = spawnWorker(workerEnv(must(db.url, 'the test database URL'), emulator.url, { KILN_GALLERY_PORT: String(await freePort()) }));
    const gallery = await galleryUrl(worker);
    const run = await createRun(db.dataSource, pipelineYaml({ steps: ['Villains'], count: 2, children: 1 }), tempDir(), 'gallery-axe');
    await waitFor('2 candidates', async () => (await runCandidates(db.dataSource, run.id)).length === 2, 30_000, [worker]);
    const [candidate] = await runCandidates(db.dataSource, run.id);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });

    const pages = [
      ['runs', gallery],
      ['run', `${gallery}/runs/${run.id}`],
      ['candidate', `${gallery}/candidates/${candidate.id}`],
      ['login', `${gallery}/login`],
    ];
    const found: Record<string, unknown> = {};
    for (const [name, url] of pages) {
      await page.goto(url);
      await page.waitForLoadState('networkidle');
      found[name] = await seriousAxeViolations(page);
    }
    await page.goto(`${gallery}/runs/${run.id}`);
    await page.keyboard.press('?');
    found['help dialog'] = await seriousAxeViolations(page);
    const helpOpen = await page.locator('#help').isVisible();
    await page.keyboard.press('Escape');

    expect(found).toEqual({ runs: [], run: [], candidate: [], login: [], 'help dialog': [] });
    expect(helpOpen).toBe(true);
    expect(await page.locator('#help').isVisible()).toBe(false);
  }, 60_000);

  it('serves the gallery from a worker on the embedded database, and a selection there starts children without a restart', async () => {
    const dataDir = join(tempDir(), 'db');
    const setup = await openDatabase({ dataDir, entities: kilnEntities, migrations: kilnMigrations });
    const run = await createRun(setup.dataSource, pipelineYaml({ steps: ['Heroes'], count: 2, children: 2 }), tempDir(), 'gallery-embedded');
    await setup.close();
    const env = workerEnv('', emulator.url, { KILN_DATA_DIR: dataDir, KILN_GALLERY_PORT: String(await freePort()) });
    delete (env as Record<string, string | undefined>)['DATABASE_URL'];
    const worker = spawnWorker(env);
    const gallery = await galleryUrl(worker);
    const runPage = async () => (await fetch(`${gallery}/runs/${run.id}`)).text();
    const tiles = (html: string) => [...html.matchAll(/data-id="([0-9a-f-]{36})" data-status="(\w+)"/g)].map((m) => ({ id: m[1], status: m[2] }));

    const page = await waitFor('2 base candidates in the gallery', async () => {
      const html = await runPage();
      return tiles(html).length === 2 ? html : null;
    }, 30_000, [worker]);
    const csrf = must(/name="csrf-token" content="([^"]+)"/.exec(page)?.[1], 'the CSRF token');
    const chosen = tiles(page)[0].id;
    const response = await fetch(`${gallery}/candidates/status`, {
      method: 'POST',
      headers: { origin: gallery, 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf, accept: 'application/json' },
      body: new URLSearchParams({ ids: chosen, status: 'selected' }),
    });
    expect(response.status).toBe(200);
    await waitFor('2 children in the gallery', async () => tiles(await runPage()).length === 4, 30_000, [worker]);
    expect((await stopWorker(worker, 'SIGTERM')).code).toBe(0);

    const after = await openDatabase({ dataDir, entities: kilnEntities, migrations: kilnMigrations });
    try {
      const candidates = await after.dataSource.getRepository(ImageCandidate).findBy({ runId: run.id });
      expect(candidates.find((c) => c.id === chosen)?.status).toBe('selected');
      expect(candidates.filter((c) => c.parentId === chosen)).toHaveLength(2);
    } finally {
      await after.close();
    }
  }, 90_000);

  async function statusOf(id: string): Promise<string> {
    return (await db.dataSource.getRepository(ImageCandidate).findOneByOrFail({ id })).status;
  }
});
