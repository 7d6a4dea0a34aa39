import * as path from 'node:path';
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
import { batchSpec, createSandbox, jsonEvents, waitForOutput, type Sandbox } from './support/cli-harness';

// A secret planted in each place one can come from (a password in COMFYUI_BASE_URL and the Basic
// header made of it, COMFYUI_AUTH_HEADER, a password in DATABASE_URL's user info and in its
// `?password=`, KILN_GALLERY_TOKEN) appears in nothing the CLI writes: its terminal output (text
// and --json), its files, or any database row, also when the server echoes credentials back.

const { urlPassword: URL_PASSWORD, authHeaderValue: HEADER_SECRET, galleryToken: GALLERY_TOKEN } = PLANTED;
const BASIC = PLANTED_BASIC;

const PIPELINE = ['version: 1', 'output: { dir: pipeline-out }', 'defaults: { checkpoint: v1-5-pruned-emaonly.safetensors, width: 64, height: 64, steps: 2, seed: 9 }', 'steps:', '  - { name: Heroes, prompt: a hero, count: 1 }', ''].join('\n');

describe('no secret leaves the CLI (built CLI, PostgreSQL)', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;
  let sandbox: Sandbox;
  let env: NodeJS.ProcessEnv;
  const outputs: Output[] = [];

  async function kiln(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    const result = await sandbox.run(args, { env: { ...env, ...extraEnv } });
    outputs.push({ where: `stdout of kiln ${args.join(' ')}`, text: result.stdout }, { where: `stderr of kiln ${args.join(' ')}`, text: result.stderr });
    return result;
  }

  beforeAll(async () => {
    db = await openKilnTestDatabase('postgres');
    emulator = await startTestEmulator({ promptDurationMs: 10 });
    sandbox = createSandbox();
    env = {
      COMFYUI_BASE_URL: withPlantedCredentials(emulator.url),
      COMFYUI_AUTH_HEADER: `X-Api-Key: ${HEADER_SECRET}`,
      COMFYUI_MAX_RETRIES: '0',
      DATABASE_URL: databaseUrlWithPlantedPasswords(db),
      KILN_GALLERY_TOKEN: GALLERY_TOKEN,
    };
  }, 60_000);

  afterAll(async () => {
    sandbox?.remove();
    await emulator?.close();
    await db?.close();
  });

  it('prints, writes and stores none of them: good and failing batches, --json, validate, models, pipelines, gallery and errors', async () => {
    sandbox.write('good.yaml', batchSpec(2, { out: 'good-out' }));
    sandbox.write('good-json.yaml', batchSpec(2, { out: 'json-out', seed: 77 }));
    sandbox.write('rejected.yaml', batchSpec(1, { out: 'rejected-out', seed: 5 }));
    sandbox.write('failing.yaml', batchSpec(1, { out: 'failing-out', seed: 6 }));
    sandbox.write('pipeline.yaml', PIPELINE);

    expect((await kiln(['validate', 'good.yaml'])).code).toBe(0);
    expect((await kiln(['validate', 'good.yaml', '--json'])).code).toBe(0);
    expect((await kiln(['models', '--json'])).code).toBe(0);
    expect((await kiln(['checkpoints'])).code).toBe(0);
    expect((await kiln(['run', 'good.yaml'])).code).toBe(0);
    expect((await kiln(['run', 'good-json.yaml', '--json'])).code).toBe(0);
    expect((await kiln(['generate', '--prompt', 'a red fox', '--checkpoint', 'v1-5-pruned-emaonly.safetensors', '--width', '64', '--height', '64', '--steps', '2', '--json'])).code).toBe(0);

    // The server rejects the prompt, quoting the credentials it received.
    emulator.setFaults({ requests: [{ route: 'POST /prompt', status: 400, echoHeaders: ['X-Api-Key', 'Authorization'] }] });
    const rejected = await kiln(['run', 'rejected.yaml', '--json']);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain('received X-Api-Key: [REDACTED]');
    expect((await kiln(['run', 'rejected.yaml'])).code).toBe(1);
    // The prompt fails while it runs, the error naming them too.
    emulator.setFaults({ requests: [], failPrompts: 2, failPromptMessage: `bad key ${HEADER_SECRET} for Basic ${BASIC}` });
    expect((await kiln(['run', 'failing.yaml'])).code).toBe(1);
    // Read now: the rerun below retries the failed images and a success replaces the error in the row.
    const rowsAfterFailure = await rowsOfSchema(db);
    expect((await kiln(['run', 'failing.yaml', '--json'])).code).toBe(1);
    // Every request refused (401), the refusal quoting them.
    emulator.setFaults({ failPrompts: 0, requests: [{ route: '*', status: 401, echoHeaders: ['X-Api-Key', 'Authorization'] }] });
    expect((await kiln(['models'])).code).not.toBe(0);
    expect((await kiln(['validate', 'good.yaml', '--json'])).code).not.toBe(0);
    expect((await kiln(['run', 'failing.yaml'])).code).not.toBe(0);
    emulator.resetFaults();

    // Ctrl-C during a run whose server came from --server: the resume hint repeats the flag.
    emulator.setFaults({ hangPrompts: 1 });
    sandbox.write('hangs.yaml', batchSpec(1, { out: 'hangs-out', seed: 8 }));
    const hanging = sandbox.spawn(['run', 'hangs.yaml', '--server', withPlantedCredentials(emulator.url)], { env });
    const hangingClosed = new Promise((resolve) => hanging.once('close', resolve));
    await waitForOutput(hanging, (stdout) => /Item 1/.test(stdout));
    hanging.kill('SIGINT');
    await hangingClosed;
    const interrupted = hanging.output.stdout + hanging.output.stderr;
    outputs.push({ where: 'an interrupted kiln run --server', text: interrupted });
    emulator.resetFaults();

    // Pipelines: registered, listed, a failed job retried.
    expect((await kiln(['pipeline', 'start', 'pipeline.yaml', '--json'])).code).toBe(0);
    expect((await kiln(['pipeline', 'start', 'pipeline.yaml'])).code).toBe(0);
    const status = await kiln(['pipeline', 'status', '--json']);
    expect(status.code).toBe(0);
    expect((await kiln(['pipeline', 'status'])).code).toBe(0);
    const pipelineRun = (jsonEvents(status.stdout)[0]['runs'] as Array<{ runId: string; kind: string }>).find((run) => run.kind === 'pipeline');
    const failedJobs: Array<{ id: string; pipeline_run_id: string }> = await db.dataSource.query(`SELECT id, pipeline_run_id FROM "${db.schema}".comfyui_jobs WHERE status = 'failed'`);
    expect(pipelineRun).toBeDefined();
    expect(failedJobs.length).toBeGreaterThan(0);
    // A failed batch's status lists its jobs' errors: what the server said, credentials and all.
    for (const runId of [pipelineRun?.runId as string, ...new Set(failedJobs.map((job) => job.pipeline_run_id))]) {
      expect((await kiln(['pipeline', 'status', runId])).code).toBe(0);
      expect((await kiln(['pipeline', 'status', runId, '--json'])).code).toBe(0);
      expect((await kiln(['candidates', 'list', runId, '--json'])).code).toBe(0);
    }
    expect((await kiln(['jobs', 'retry', failedJobs[0].id, '--json'])).code).toBe(0);

    // The gallery: what it prints, and its pages.
    const gallery = sandbox.spawn(['gallery', '--port', '0'], { env });
    const closed = new Promise((resolve) => gallery.once('close', resolve));
    await waitForOutput(gallery, (stdout) => /on http:\/\/127\.0\.0\.1:\d+/.test(stdout));
    const url = (/on (http:\/\/127\.0\.0\.1:\d+)/.exec(gallery.output.stdout) as RegExpExecArray)[1];
    outputs.push({ where: 'the gallery login page', text: await (await fetch(url)).text() });
    outputs.push({ where: 'a refused gallery login', text: await (await fetch(`${url}/login`, { method: 'POST', headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=wrong' })).text() });
    gallery.kill('SIGINT');
    await closed;
    outputs.push({ where: 'kiln gallery stdout', text: gallery.output.stdout }, { where: 'kiln gallery stderr', text: gallery.output.stderr });

    // Errors that name the settings: ComfyUI down, the database down, a bad server list.
    const closedPort = 1;
    expect((await kiln(['run', 'good.yaml', '--overwrite'], { COMFYUI_BASE_URL: `http://kilnuser:${URL_PASSWORD}@127.0.0.1:${closedPort}` })).code).toBe(3);
    expect((await kiln(['pipeline', 'status', '--json'], { DATABASE_URL: databaseUrlWithPlantedPasswords(db, closedPort) })).code).toBe(3);
    expect((await kiln(['models'], { COMFYUI_BASE_URL: `${withPlantedCredentials(emulator.url)},ftp://kilnuser:${URL_PASSWORD}@elsewhere` })).code).toBe(2);
    expect((await kiln(['models', '--server', `${withPlantedCredentials(emulator.url)},ftp://kilnuser:${URL_PASSWORD}@elsewhere`, '--json'])).code).toBe(2);

    // Everything under the sandbox but the copy of the embedded database (unused with DATABASE_URL).
    const files = filesUnder(sandbox.dir).filter(({ where }) => !where.includes(`${path.sep}.kiln${path.sep}`));
    const rows = await rowsOfSchema(db);
    expect(secretsFound([...outputs, ...files, ...rowsAfterFailure, ...rows], PLANTED_SECRETS)).toEqual([]);
    // What was searched holds what it should, the secrets masked.
    expect(files.some(({ where }) => where.endsWith('kiln-manifest.json'))).toBe(true);
    expect(files.some(({ where }) => where.includes('kiln-workflows'))).toBe(true);
    expect(rows.some(({ text }) => text.includes('kilnuser:***@127.0.0.1'))).toBe(true);
    expect(rowsAfterFailure.some(({ text }) => text.includes('bad key [REDACTED] for [REDACTED]'))).toBe(true);
    expect(interrupted).toContain(`To resume, run: kiln run hangs.yaml --server '${emulator.url.replace('http://', 'http://kilnuser:***@')}'`);
  }, 240_000);
});
