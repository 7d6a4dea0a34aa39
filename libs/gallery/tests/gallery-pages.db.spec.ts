import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ImageCandidate, recordCandidate, selectCandidates } from '@kiln/pipeline';
import { openKilnTestDatabase, type TestDatabase } from '@kiln/testing';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { resolveGalleryOptions } from '../src/gallery-options';
import { buildGalleryApp } from '../src/http/gallery-server';
import { THUMBNAIL_FOLDER } from '../src/thumbnails/thumbnail-cache';
import { csrfOf, png, removeTempFolders, runWithCandidates } from './support/gallery-fixture';

describe('gallery pages and curation', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  const origin = 'http://127.0.0.1:8190';
  const headers = { host: '127.0.0.1:8190' };

  beforeAll(async () => {
    db = await openKilnTestDatabase();
    app = buildGalleryApp(resolveGalleryOptions({ dataSource: db.dataSource, port: 0 }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.close();
    removeTempFolders();
  });

  async function post(url: string, fields: Record<string, string>, csrf: string) {
    return app.inject({ method: 'POST', url, headers: { ...headers, origin, accept: 'application/json', 'x-csrf-token': csrf, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
  }

  it('lists every run with its steps’ wanted / made / in flight / failed', async () => {
    const { run } = await runWithCandidates(db.dataSource, 3, 'listed-run');

    const page = await app.inject({ url: '/', headers });

    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<a href="/runs/${run.id}">listed-run</a>`);
    expect(page.body).toContain('heroes: 3 / 3 / 0 / 0');
  });

  it('shows a run’s candidates as thumbnails with status, generation and children, filtered by status', async () => {
    const { run, candidates } = await runWithCandidates(db.dataSource, 4);
    await selectCandidates(db.dataSource.manager, [candidates[1].id]);

    const all = await app.inject({ url: `/runs/${run.id}`, headers });
    const selected = await app.inject({ url: `/runs/${run.id}?status=selected`, headers });
    const badFilter = await app.inject({ url: `/runs/${run.id}?status=maybe`, headers });

    expect(all.statusCode).toBe(200);
    expect(all.body.match(/class="tile /g)).toHaveLength(4);
    expect(all.body).toContain(`src="/candidates/${candidates[0].id}/thumbnail"`);
    expect(all.body).not.toContain(`src="/candidates/${candidates[0].id}/image"`);
    expect(all.body).toContain('6 wanted · 4 made · 0 in flight · 0 failed · 1 selected');
    expect(selected.body.match(/class="tile /g)).toHaveLength(1);
    expect(selected.body).toContain(`data-id="${candidates[1].id}" data-status="selected"`);
    expect(badFilter.statusCode).toBe(400);
    expect(badFilter.body).toContain('status=maybe is not one of new, selected, rejected');
  });

  it('shows a candidate with its sidecar’s seed, prompt, negative prompt and checkpoint, and its lineage', async () => {
    const { run, candidates } = await runWithCandidates(db.dataSource, 1);
    const [parent] = candidates;
    await selectCandidates(db.dataSource.manager, [parent.id]);
    const childPath = path.join(path.dirname(parent.imagePath), 'child.png');
    require('node:fs').writeFileSync(childPath, await png());
    const { candidate: child } = await recordCandidate(db.dataSource.manager, { stepId: run.steps[0].id, parentId: parent.id, index: 0, imagePath: childPath, seed: 5 });

    const page = await app.inject({ url: `/candidates/${parent.id}`, headers });
    const childPage = await app.inject({ url: `/candidates/${child.id}`, headers });

    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<code id="seed">1000</code>');
    expect(page.body).toContain('a hero number 0');
    expect(page.body).toContain('<dd>blurry</dd>');
    expect(page.body).toContain('<dd>sd_xl_base_1.0.safetensors</dd>');
    expect(page.body).toContain('<code>prompt-0</code>');
    expect(page.body).toContain(`src="/candidates/${parent.id}/image"`);
    expect(page.body).toContain(`data-copy="1000"`);
    expect(page.body).toContain(`href="/candidates/${child.id}"`);
    expect(childPage.body).toContain('No sidecar');
    expect(childPage.body).toContain(`href="/candidates/${parent.id}"`);
  });

  it('saves select, reject and undo (back to new) at once, by POST with the page’s CSRF token', async () => {
    const { run, candidates } = await runWithCandidates(db.dataSource, 3);
    const csrf = csrfOf(await app.inject({ url: `/runs/${run.id}`, headers }));
    const statuses = async () => (await db.dataSource.getRepository(ImageCandidate).findBy({ runId: run.id })).sort((a, b) => a.index - b.index).map((c) => c.status);

    const selected = await post('/candidates/status', { ids: `${candidates[0].id},${candidates[1].id}`, status: 'selected' }, csrf);
    expect(selected.statusCode).toBe(200);
    expect(await statuses()).toEqual(['selected', 'selected', 'new']);

    await post('/candidates/status', { ids: candidates[2].id, status: 'rejected' }, csrf);
    expect(await statuses()).toEqual(['selected', 'selected', 'rejected']);

    const undone = await post('/candidates/status', { ids: candidates[2].id, status: 'new' }, csrf);
    expect(undone.json()).toEqual({ candidates: [{ id: candidates[2].id, status: 'new' }] });
    expect(await statuses()).toEqual(['selected', 'selected', 'new']);
  });

  it('answers a plain form post with a redirect back to the page', async () => {
    const { run, candidates } = await runWithCandidates(db.dataSource, 1);
    const csrf = csrfOf(await app.inject({ url: `/runs/${run.id}`, headers }));

    const response = await app.inject({
      method: 'POST', url: '/candidates/status',
      headers: { ...headers, origin, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, ids: candidates[0].id, status: 'rejected', return: `/runs/${run.id}?page=1` }).toString(),
    });

    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/runs/${run.id}?page=1`);
  });

  it('makes a thumbnail once, in the run’s folder, and serves it with caching headers', async () => {
    const { folder, candidates } = await runWithCandidates(db.dataSource, 1);
    const url = `/candidates/${candidates[0].id}/thumbnail`;

    const first = await app.inject({ url, headers });
    const file = path.join(folder, THUMBNAIL_FOLDER, `${candidates[0].id}.webp`);
    const madeAt = statSync(file).mtimeMs;
    const second = await app.inject({ url, headers });
    const revalidated = await app.inject({ url, headers: { ...headers, 'if-none-match': String(first.headers.etag) } });

    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('image/webp');
    expect(first.headers['cache-control']).toContain('immutable');
    expect((await sharp(first.rawPayload).metadata()).format).toBe('webp');
    expect(existsSync(file)).toBe(true);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(statSync(file).mtimeMs).toBe(madeAt);
    expect(revalidated.statusCode).toBe(304);
  });

  it('serves the full image by candidate id with its real type', async () => {
    const { candidates } = await runWithCandidates(db.dataSource, 1);

    const image = await app.inject({ url: `/candidates/${candidates[0].id}/image`, headers });

    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.rawPayload.equals(require('node:fs').readFileSync(candidates[0].imagePath))).toBe(true);
  });
});
