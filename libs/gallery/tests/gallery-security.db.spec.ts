import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ImageCandidate, recordCandidate } from '@kiln/pipeline';
import { openKilnTestDatabase, type TestDatabase } from '@kiln/testing';
import type { FastifyInstance } from 'fastify';
import { GalleryError } from '../src/errors';
import { resolveGalleryOptions } from '../src/gallery-options';
import { buildGalleryApp } from '../src/http/gallery-server';
import { startGallery } from '../src/start-gallery';
import { csrfOf, png, removeTempFolders, runWithCandidates, tempFolder } from './support/gallery-fixture';

const TOKEN = 'gallery-token-0123456789abcdef';
const host = '127.0.0.1:8190';
const origin = `http://${host}`;

describe('gallery security', () => {
  let db: TestDatabase;
  let open: FastifyInstance;
  let guarded: FastifyInstance;

  beforeAll(async () => {
    db = await openKilnTestDatabase();
    open = buildGalleryApp(resolveGalleryOptions({ dataSource: db.dataSource, port: 0 }));
    guarded = buildGalleryApp(resolveGalleryOptions({ dataSource: db.dataSource, port: 0, host: '0.0.0.0', token: TOKEN }));
  }, 60_000);

  afterAll(async () => {
    await open?.close();
    await guarded?.close();
    await db?.close();
    removeTempFolders();
  });

  async function statusOf(id: string): Promise<string> {
    return (await db.dataSource.getRepository(ImageCandidate).findOneByOrFail({ id })).status;
  }

  function postStatus(app: FastifyInstance, fields: Record<string, string>, extraHeaders: Record<string, string>) {
    return app.inject({ method: 'POST', url: '/candidates/status', headers: { host, 'content-type': 'application/x-www-form-urlencoded', ...extraHeaders }, payload: new URLSearchParams(fields).toString() });
  }

  describe('listening', () => {
    it('refuses a non-loopback address without a token, saying how to set one', () => {
      const attempt = () => resolveGalleryOptions({ dataSource: db.dataSource, port: 0, host: '0.0.0.0' });

      expect(attempt).toThrow(GalleryError);
      expect(attempt).toThrow(/KILN_GALLERY_HOST=0\.0\.0\.0 is not a loopback address.*set KILN_GALLERY_TOKEN.*openssl rand -hex 16/);
    });

    it('listens on 127.0.0.1 by default', async () => {
      const gallery = await startGallery({ dataSource: db.dataSource, port: 0 });
      try {
        expect(gallery.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      } finally {
        await gallery.close();
      }
    });

    it('answers only to loopback host names when it listens on loopback (DNS rebinding)', async () => {
      const response = await open.inject({ url: '/', headers: { host: 'attacker.example:8190' } });

      expect(response.statusCode).toBe(421);
    });
  });

  describe('token and login', () => {
    it('sends a browser without a session to the login form, and refuses API calls', async () => {
      const page = await guarded.inject({ url: '/', headers: { host, accept: 'text/html' } });
      const image = await guarded.inject({ url: '/candidates/00000000-0000-4000-8000-000000000000/image', headers: { host } });
      const events = await guarded.inject({ url: '/events', headers: { host } });

      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toBe('/login');
      expect(image.statusCode).toBe(401);
      expect(events.statusCode).toBe(401);
    });

    it('refuses a wrong token and a missing one', async () => {
      const csrf = csrfOf(await guarded.inject({ url: '/login', headers: { host } }));

      const wrong = await guarded.inject({ method: 'POST', url: '/login', headers: { host, origin, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${csrf}&token=not-the-token-at-all` });
      const missing = await guarded.inject({ method: 'POST', url: '/login', headers: { host, origin, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${csrf}` });

      expect(wrong.statusCode).toBe(401);
      expect(wrong.headers['set-cookie']).toBeUndefined();
      expect(missing.statusCode).toBe(401);
    });

    it('stops taking tokens for a minute after 10 wrong ones', async () => {
      const app = buildGalleryApp(resolveGalleryOptions({ dataSource: db.dataSource, port: 0, host: '0.0.0.0', token: TOKEN }));
      try {
        const csrf = csrfOf(await app.inject({ url: '/login', headers: { host } }));
        const attempt = (token: string) => app.inject({ method: 'POST', url: '/login', headers: { host, origin, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, token }).toString() });

        const wrong = [];
        for (let i = 0; i < 10; i++) wrong.push((await attempt(`wrong-token-number-${i}`)).statusCode);
        const right = await attempt(TOKEN);

        expect(wrong).toEqual(Array(10).fill(401));
        expect(right.statusCode).toBe(429);
        expect(right.headers['set-cookie']).toBeUndefined();
      } finally {
        await app.close();
      }
    });

    it('sets an HttpOnly, SameSite=Strict session cookie for the right token, and a forged cookie gets nothing', async () => {
      const csrf = csrfOf(await guarded.inject({ url: '/login', headers: { host } }));

      const login = await guarded.inject({ method: 'POST', url: '/login', headers: { host, origin, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, token: TOKEN }).toString() });
      const cookie = String(login.headers['set-cookie']);
      const session = cookie.split(';')[0];
      const page = await guarded.inject({ url: '/', headers: { host, cookie: session, accept: 'text/html' } });
      const forged = await guarded.inject({ url: '/', headers: { host, cookie: 'kiln_gallery_session=forged', accept: 'text/html' } });

      expect(login.statusCode).toBe(303);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).not.toContain(TOKEN);
      expect(page.statusCode).toBe(200);
      expect(forged.statusCode).toBe(303);
    });
  });

  describe('state changes', () => {
    it('refuses a cross-origin POST, and one without Origin or Referer', async () => {
      const { run, candidates } = await runWithCandidates(db.dataSource, 1);
      const csrf = csrfOf(await open.inject({ url: `/runs/${run.id}`, headers: { host } }));
      const fields = { ids: candidates[0].id, status: 'selected', _csrf: csrf };

      const cross = await postStatus(open, fields, { origin: 'http://evil.example' });
      const noOrigin = await postStatus(open, fields, {});

      expect(cross.statusCode).toBe(403);
      expect(cross.body).toContain('Origin does not match Host');
      expect(noOrigin.statusCode).toBe(403);
      expect(await statusOf(candidates[0].id)).toBe('new');
    });

    it('refuses a POST without the CSRF token or with another session’s', async () => {
      const { candidates } = await runWithCandidates(db.dataSource, 1);

      const missing = await postStatus(open, { ids: candidates[0].id, status: 'selected' }, { origin });
      const wrong = await postStatus(open, { ids: candidates[0].id, status: 'selected', _csrf: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, { origin });

      expect(missing.statusCode).toBe(403);
      expect(missing.body).toContain('CSRF token missing or wrong');
      expect(wrong.statusCode).toBe(403);
      expect(await statusOf(candidates[0].id)).toBe('new');
    });

    it('never changes state on GET', async () => {
      const { candidates } = await runWithCandidates(db.dataSource, 1);

      const response = await open.inject({ url: `/candidates/status?ids=${candidates[0].id}&status=selected`, headers: { host } });

      expect(response.statusCode).toBe(400);
      expect(await statusOf(candidates[0].id)).toBe('new');
    });
  });

  describe('files', () => {
    async function candidateAt(imagePath: string) {
      const { run } = await runWithCandidates(db.dataSource, 0);
      const { candidate } = await recordCandidate(db.dataSource.manager, { stepId: run.steps[0].id, index: 0, imagePath, seed: 1 });
      return { run, candidate };
    }

    it('serves no image whose real path leaves its run’s folder: ../, absolute paths, symlinks', async () => {
      const outside = tempFolder('kiln-outside-');
      const secret = path.join(outside, 'secret.png');
      writeFileSync(secret, await png());
      const { run: linked } = await runWithCandidates(db.dataSource, 0);
      mkdirSync(path.join(linked.targetFolder, 'heroes'), { recursive: true });
      symlinkSync(secret, path.join(linked.targetFolder, 'heroes', 'link.png'));
      const { candidate: viaLink } = await recordCandidate(db.dataSource.manager, { stepId: linked.steps[0].id, index: 0, imagePath: path.join(linked.targetFolder, 'heroes', 'link.png'), seed: 1 });
      const { candidate: dotDot } = await candidateAt('../' + path.basename(outside) + '/secret.png');
      const { candidate: absolute } = await candidateAt(secret);

      for (const candidate of [viaLink, dotDot, absolute]) {
        for (const kind of ['image', 'thumbnail']) {
          const response = await open.inject({ url: `/candidates/${candidate.id}/${kind}`, headers: { host } });
          expect({ kind, status: response.statusCode, type: response.headers['content-type'] }).toEqual({ kind, status: 404, type: 'text/html; charset=utf-8' });
        }
      }
    });

    it('answers at once for an image or sidecar replaced by a FIFO, instead of hanging on it', async () => {
      const { candidates } = await runWithCandidates(db.dataSource, 2);
      const [piped, pipedSidecar] = candidates;
      for (const file of [piped.imagePath, pipedSidecar.imagePath.replace(/\.png$/, '.json')]) {
        rmSync(file);
        execFileSync('mkfifo', [file]);
      }

      const [image, thumbnail, page] = await Promise.all([
        open.inject({ url: `/candidates/${piped.id}/image`, headers: { host } }),
        open.inject({ url: `/candidates/${piped.id}/thumbnail`, headers: { host } }),
        open.inject({ url: `/candidates/${pipedSidecar.id}`, headers: { host } }),
      ]);

      expect([image.statusCode, thumbnail.statusCode]).toEqual([404, 404]);
      expect(image.body).toContain('is missing, not a regular file, or outside its run');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('is missing, not a regular file, or outside the run');
    }, 15_000);

    it('takes no path anywhere: bad ids, encoded traversal and folders get 400 or 404, never a listing', async () => {
      const urls = ['/candidates/..%2f..%2fetc%2fpasswd/image', '/candidates/not-an-id/thumbnail', '/static/..%2f..%2fpackage.json', '/static/', '/candidates/', '/runs/', '/runs/1%27%20OR%201=1'];

      const statuses = await Promise.all(urls.map(async (url) => (await open.inject({ url, headers: { host } })).statusCode));

      expect(statuses).toEqual([400, 400, 404, 404, 400, 400, 400]);
    });
  });

  describe('headers and errors', () => {
    it('sends a CSP without inline scripts and nosniff on pages, images and errors', async () => {
      const { candidates } = await runWithCandidates(db.dataSource, 1);

      for (const url of ['/', `/candidates/${candidates[0].id}`, `/candidates/${candidates[0].id}/thumbnail`, '/nowhere', '/static/gallery.js']) {
        const response = await open.inject({ url, headers: { host } });
        const csp = String(response.headers['content-security-policy']);
        expect({ url, csp: csp.includes("script-src 'self'") && !csp.includes('unsafe-inline'), nosniff: response.headers['x-content-type-options'] }).toEqual({ url, csp: true, nosniff: 'nosniff' });
      }
    });

    it('has no inline script or event handler in any page', async () => {
      const { run, candidates } = await runWithCandidates(db.dataSource, 1);

      for (const url of ['/', `/runs/${run.id}`, `/candidates/${candidates[0].id}`, '/login']) {
        const { body } = await open.inject({ url, headers: { host } });
        expect({ url, inline: /<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+=/i.test(body) }).toEqual({ url, inline: false });
      }
    });

    it('answers a broken request with an error page, never a stack trace', async () => {
      const csrf = csrfOf(await open.inject({ url: '/', headers: { host } }));

      const response = await open.inject({ method: 'POST', url: '/candidates/status', headers: { host, origin, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: '{"ids": ' });

      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).not.toMatch(/\s+at\s+\S+\s+\(|node_modules|\.ts:\d+/);
    });
  });
});
