import { startTestEmulator, type RunningEmulator } from '@kiln/testing';
import { batchSpec, createSandbox, waitForOutput, type Sandbox } from './support/cli-harness';

describe('kiln gallery (built CLI, embedded database)', () => {
  let emulator: RunningEmulator;
  let sandbox: Sandbox;

  beforeAll(async () => {
    emulator = await startTestEmulator({ promptDurationMs: 10 });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(() => {
    sandbox = createSandbox();
  });
  afterEach(() => {
    sandbox.remove();
  });

  it('serves a finished batch: its run, thumbnails, and a selection saved to the database; Ctrl-C stops it', async () => {
    sandbox.write('jobs.yaml', batchSpec(2));
    expect((await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url])).code).toBe(0);

    const gallery = sandbox.spawn(['gallery', '--port', '0']);
    const exited = new Promise<number | null>((resolve) => gallery.on('close', resolve));
    await waitForOutput(gallery, (stdout) => /on http:\/\/127\.0\.0\.1:\d+/.test(stdout));
    const url = (/on (http:\/\/127\.0\.0\.1:\d+)/.exec(gallery.output.stdout) as RegExpExecArray)[1];
    const runs = await (await fetch(url)).text();
    const runId = (/href="\/runs\/([0-9a-f-]{36})"/.exec(runs) as RegExpExecArray)[1];
    const runPage = await (await fetch(`${url}/runs/${runId}`)).text();
    const ids = [...runPage.matchAll(/data-id="([0-9a-f-]{36})" data-status="new"/g)].map((m) => m[1]);
    const csrf = (/name="csrf-token" content="([^"]+)"/.exec(runPage) as RegExpExecArray)[1];
    const thumbnail = await fetch(`${url}/candidates/${ids[0]}/thumbnail`);
    const selected = await fetch(`${url}/candidates/status`, {
      method: 'POST',
      headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf, accept: 'application/json' },
      body: new URLSearchParams({ ids: ids[0], status: 'selected' }),
    });
    gallery.kill('SIGINT');

    expect(ids).toHaveLength(2);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(await selected.json()).toEqual({ candidates: [{ id: ids[0], status: 'selected' }] });
    expect(await exited).toBe(0);
    const list = await sandbox.run(['candidates', 'list', runId, '--status', 'selected']);
    expect(list.stdout).toContain(ids[0].slice(0, 8));
  });

  it('refuses to listen beyond this machine without a token, saying how to set one (exit 2)', async () => {
    const result = await sandbox.run(['gallery', '--host', '0.0.0.0', '--port', '0']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/KILN_GALLERY_HOST=0\.0\.0\.0 is not a loopback address.*set KILN_GALLERY_TOKEN/);
  });
});
