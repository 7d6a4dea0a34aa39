import {
  databaseUrlWithPlantedPasswords,
  filesUnder,
  openKilnTestDatabase,
  PLANTED,
  PLANTED_BASIC,
  PLANTED_SECRETS,
  rowsOfSchema,
  secretsFound,
  startTestEmulator,
  withPlantedCredentials,
  type Output,
  type RunningEmulator,
  type TestDatabase,
} from '@kiln/testing';
import {
  createRun,
  freePort,
  killAllWorkers,
  must,
  pipelineYaml,
  removeTempDirs,
  runFinished,
  runJobs,
  spawnWorker,
  stopWorker,
  tempDir,
  waitFor,
  workerEnv,
  type WorkerProcess,
} from './support/worker-harness';

// A secret planted in each place one can come from (a password in COMFYUI_BASE_URL and the Basic
// header made of it, COMFYUI_AUTH_HEADER, a password in DATABASE_URL's user info and in its
// `?password=`, KILN_GALLERY_TOKEN) appears in nothing the worker writes: its logs, /metrics,
// /healthz, the gallery's pages, its files or any database row, also when the server echoes
// credentials back.

const { urlPassword: URL_PASSWORD, authHeaderValue: HEADER_SECRET, galleryToken: GALLERY_TOKEN } = PLANTED;
const BASIC = PLANTED_BASIC;

/** Signs in to the gallery with its token; the session cookie. */
async function signIn(gallery: string): Promise<string> {
  const form = await (await fetch(`${gallery}/login`)).text();
  const csrf = must(/name="_csrf" value="([^"]+)"/.exec(form)?.[1], 'the login form token');
  const login = await fetch(`${gallery}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: gallery, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, token: GALLERY_TOKEN }),
  });
  expect(login.status).toBe(303);
  return must(login.headers.get('set-cookie'), 'the session cookie').split(';')[0];
}

function outputOf(worker: WorkerProcess, what: string): Output[] {
  return [
    { where: `stdout of ${what}`, text: worker.output.stdout },
    { where: `stderr of ${what}`, text: worker.output.stderr },
  ];
}

describe('no secret leaves the worker (worker process, PostgreSQL)', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    db = await openKilnTestDatabase('postgres');
    emulator = await startTestEmulator({ promptDurationMs: 20 });
  }, 60_000);

  afterAll(async () => {
    await killAllWorkers();
    await emulator?.close();
    await db?.close();
    removeTempDirs();
  });

  it('logs, serves and stores none of them: a good and a failing run, /metrics, /healthz, the gallery and failed starts', async () => {
    const dir = tempDir();
    const good = await createRun(db.dataSource, pipelineYaml({ steps: ['Heroes'], count: 2 }), dir, 'good');
    const [metricsPort, galleryPort] = [await freePort(), await freePort()];
    const env = workerEnv(databaseUrlWithPlantedPasswords(db), withPlantedCredentials(emulator.url), {
      COMFYUI_AUTH_HEADER: `X-Api-Key: ${HEADER_SECRET}`,
      COMFYUI_MAX_RETRIES: '0',
      KILN_METRICS_PORT: String(metricsPort),
      KILN_GALLERY_PORT: String(galleryPort),
      KILN_GALLERY_TOKEN: GALLERY_TOKEN,
      LOG_LEVEL: 'debug',
    });
    const worker = spawnWorker(env);
    await waitFor('the good run to finish', () => runFinished(db.dataSource, good.id, 2), 30_000, [worker]);

    // The failing run: the server rejects one prompt quoting the credentials it received, and fails
    // the other while it runs, its error naming them too.
    emulator.setFaults({
      requests: [{ route: 'POST /prompt', status: 400, echoHeaders: ['X-Api-Key', 'Authorization'], times: 1 }],
      failPrompts: 1,
      failPromptMessage: `bad key ${HEADER_SECRET} for Basic ${BASIC}`,
    });
    const bad = await createRun(db.dataSource, pipelineYaml({ steps: ['Villains'], count: 2 }), dir, 'bad');
    const failed = await waitFor(
      'both jobs of the failing run to fail',
      async () => {
        const jobs = await runJobs(db.dataSource, bad.id);
        return jobs.length === 2 && jobs.every((job) => job.status === 'failed') && jobs;
      },
      30_000,
      [worker],
    );
    emulator.resetFaults();

    const served: Output[] = [];
    for (const path of ['/metrics', '/healthz']) served.push({ where: path, text: await (await fetch(`http://127.0.0.1:${metricsPort}${path}`)).text() });
    const gallery = `http://127.0.0.1:${galleryPort}`;
    const cookie = await signIn(gallery);
    for (const path of ['/', `/runs/${good.id}`, `/runs/${bad.id}`]) served.push({ where: `the gallery's ${path}`, text: await (await fetch(`${gallery}${path}`, { headers: { cookie } })).text() });
    expect(await stopWorker(worker, 'SIGTERM')).toMatchObject({ code: 0 });

    // ComfyUI down: the worker waits, naming the server.
    const closedPort = await freePort();
    const noComfyUi = spawnWorker({ ...env, COMFYUI_BASE_URL: `http://kilnuser:${URL_PASSWORD}@127.0.0.1:${closedPort}`, KILN_METRICS_PORT: '0', KILN_GALLERY_PORT: '0' });
    await waitFor('the unreachable warning', () => noComfyUi.logged('no ComfyUI server answers: waiting for one before generating anything')[0], 15_000, [noComfyUi]);
    expect(await stopWorker(noComfyUi, 'SIGTERM')).toMatchObject({ code: 0 });
    // Starts that fail: the database down, a bad server list.
    const noDatabase = spawnWorker({ ...env, DATABASE_URL: databaseUrlWithPlantedPasswords(db, closedPort), KILN_METRICS_PORT: '0', KILN_GALLERY_PORT: '0' });
    expect((await noDatabase.exited).code).toBe(3);
    const badServers = spawnWorker({ ...env, COMFYUI_BASE_URL: `${env['COMFYUI_BASE_URL']},ftp://kilnuser:${URL_PASSWORD}@elsewhere` });
    expect((await badServers.exited).code).toBe(2);

    const rows = await rowsOfSchema(db);
    const outputs = [
      ...outputOf(worker, 'the worker'),
      ...outputOf(noComfyUi, 'the worker without ComfyUI'),
      ...outputOf(noDatabase, 'the worker without its database'),
      ...outputOf(badServers, 'the worker with a bad server list'),
      ...served,
      ...filesUnder(dir),
      ...filesUnder(worker.cwd),
      ...rows,
    ];
    expect(secretsFound(outputs, PLANTED_SECRETS)).toEqual([]);
    // What was searched holds what it should, the secrets masked.
    expect(failed.map((job) => job.errorMessage).sort()).toEqual([
      expect.stringContaining('received X-Api-Key: [REDACTED]; Authorization: [REDACTED]'),
      expect.stringContaining('bad key [REDACTED] for [REDACTED]'),
    ]);
    expect(served.find((s) => s.where === '/metrics')?.text).toMatch(/kiln_jobs_completed_total\{server="http:\/\/kilnuser:\*\*\*@127\.0\.0\.1:\d+"\} 2/);
    expect(served.find((s) => s.where === `the gallery's /runs/${bad.id}`)?.text).toContain('bad key [REDACTED]');
    const files = filesUnder(dir).map(({ where }) => where);
    expect(files.filter((file) => file.endsWith('.json') && !file.includes('/kiln-workflows/'))).toHaveLength(2); // the sidecars
    expect(files.some((file) => file.includes('/kiln-workflows/'))).toBe(true);
    expect(noDatabase.output.stderr).toContain('cannot open the database');
    expect(badServers.output.stderr).toContain('COMFYUI_BASE_URL="http://kilnuser:***@127.0.0.1');
  }, 90_000);
});
