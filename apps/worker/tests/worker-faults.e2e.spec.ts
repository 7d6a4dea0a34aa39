import { existsSync } from 'node:fs';
import { openKilnTestDatabase, startTestEmulator, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import {
  createRun,
  freePort,
  killAllWorkers,
  must,
  partFiles,
  pipelineYaml,
  removeTempDirs,
  runCandidates,
  runFinished,
  runJobs,
  spawnWorker,
  stopWorker,
  tempDir,
  waitFor,
  workerEnv,
  type WorkerProcess,
} from './support/worker-harness';

describe('worker process under faults', () => {
  let db: TestDatabase;
  const emulators: RunningEmulator[] = [];

  async function emulator(options: Parameters<typeof startTestEmulator>[0] = {}): Promise<RunningEmulator> {
    const started = await startTestEmulator(options);
    emulators.push(started);
    return started;
  }

  beforeAll(async () => {
    db = await openKilnTestDatabase();
  }, 60_000);

  afterEach(async () => {
    await killAllWorkers();
    await Promise.all(emulators.splice(0).map((e) => e.close()));
  });

  afterAll(async () => {
    await killAllWorkers();
    await db?.close();
    removeTempDirs();
  });

  const url = () => must(db.url, 'the test database URL');

  it('killed with SIGKILL while prompts are in flight, a restarted worker finishes without duplicates or leftovers', async () => {
    const comfy = await emulator({ promptDurationMs: 250 });
    const dir = tempDir();
    const run = await createRun(db.dataSource, pipelineYaml({ steps: ['Alpha', 'Beta'], count: 4 }), dir, 'sigkill');
    const first = spawnWorker(workerEnv(url(), comfy.url));

    // Kill once some images are done and others are on the server.
    await waitFor(
      'two candidates and a prompt in flight',
      async () => {
        const [candidates, jobs] = await Promise.all([runCandidates(db.dataSource, run.id), runJobs(db.dataSource, run.id)]);
        return candidates.length >= 2 && jobs.some((j) => j.status === 'submitted' || j.status === 'running');
      },
      30_000,
      [first],
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await runJobs(db.dataSource, run.id);
    // A job still `pending` but leased to the dead worker may have had its POST on the wire when the
    // worker died: ComfyUI may have accepted it without the worker recording it. Only those may run
    // twice (the next attempt cannot know). Jobs recorded as submitted/running are followed by prompt
    // id and never posted again.
    const possiblyPosted = atKill.filter((j) => j.status === 'pending' && j.leaseOwner !== null).length;
    const inFlightAtKill = atKill.filter((j) => j.status === 'submitted' || j.status === 'running');
    expect(inFlightAtKill.length).toBeGreaterThan(0);

    const second = spawnWorker(workerEnv(url(), comfy.url));
    await waitFor('8 candidates, every job completed and processed', () => runFinished(db.dataSource, run.id, 8), 30_000, [second]);
    expect(await stopWorker(second, 'SIGTERM')).toMatchObject({ code: 0 });

    const candidates = await runCandidates(db.dataSource, run.id);
    const jobs = await runJobs(db.dataSource, run.id);
    expect(candidates).toHaveLength(8);
    expect(new Set(candidates.map((c) => `${c.stepId}/${c.index}`)).size).toBe(8);
    expect(candidates.every((c) => existsSync(c.imagePath))).toBe(true);
    expect(jobs).toHaveLength(8); // no slot got a second job
    expect(new Set(jobs.map((j) => j.promptId)).size).toBe(8);
    // The prompts that were in flight at the kill kept their ids: the new worker followed them.
    const byId = new Map(jobs.map((j) => [j.id, j]));
    for (const job of inFlightAtKill) expect(byId.get(job.id)?.promptId).toBe(job.promptId);
    const accepted = comfy.stats().promptsAccepted;
    expect(accepted).toBeGreaterThanOrEqual(8);
    expect(accepted - 8).toBeLessThanOrEqual(possiblyPosted);
    expect(partFiles(dir)).toEqual([]);
  }, 60_000);

  it('SIGTERM while prompts are in flight: exits 0 promptly, leaves them recorded, and the next start finishes them', async () => {
    const comfy = await emulator({ promptDurationMs: 400 });
    const dir = tempDir();
    const run = await createRun(db.dataSource, pipelineYaml({ steps: ['Gamma'], count: 3 }), dir, 'sigterm');
    const first = spawnWorker(workerEnv(url(), comfy.url));
    await waitFor('a prompt in flight', async () => (await runJobs(db.dataSource, run.id)).some((j) => j.status === 'submitted' || j.status === 'running'), 30_000, [first]);

    const stopped = await stopWorker(first, 'SIGTERM');
    expect(stopped).toMatchObject({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(3000);
    expect(first.logged('worker stopped; jobs still in flight are picked up by the next start')).toHaveLength(1);
    const left = await runJobs(db.dataSource, run.id);
    expect(left.some((j) => j.status === 'submitted' || j.status === 'running')).toBe(true);
    expect(left.every((j) => j.status !== 'failed' && j.leaseOwner === null)).toBe(true); // nothing held back by a lease

    const second = spawnWorker(workerEnv(url(), comfy.url));
    await waitFor('3 candidates', () => runFinished(db.dataSource, run.id, 3), 30_000, [second]);
    expect(comfy.stats().promptsAccepted).toBe(3);
  }, 60_000);

  it('two worker processes on one PostgreSQL share the work without submitting any job twice', async () => {
    const comfy = await emulator({ promptDurationMs: 30 });
    const dir = tempDir();
    const run = await createRun(db.dataSource, pipelineYaml({ steps: ['One', 'Two', 'Three'], count: 4 }), dir, 'two-workers');
    const env = workerEnv(url(), comfy.url, { COMFYUI_MAX_IN_FLIGHT: '3' });
    const workers: WorkerProcess[] = [spawnWorker(env), spawnWorker(env)];

    await waitFor('12 candidates', () => runFinished(db.dataSource, run.id, 12), 45_000, workers);
    for (const worker of workers) expect(await stopWorker(worker, 'SIGTERM')).toMatchObject({ code: 0 });

    const jobs = await runJobs(db.dataSource, run.id);
    expect(jobs).toHaveLength(12);
    expect(await runCandidates(db.dataSource, run.id)).toHaveLength(12);
    expect(comfy.stats().promptsAccepted).toBe(jobs.length);
    const submittedIds = workers.flatMap((w) => w.logged('job submitted').map((l) => l['jobId']));
    expect(submittedIds.sort()).toEqual(jobs.map((j) => j.id).sort()); // each job posted once, by one of them
    expect(partFiles(dir)).toEqual([]);
  }, 60_000);

  it('keeps running when ComfyUI is down, says how to fix it, and starts generating once it answers', async () => {
    const port = await freePort();
    const dir = tempDir();
    const run = await createRun(db.dataSource, pipelineYaml({ steps: ['Later'], count: 2 }), dir, 'unreachable');
    const worker = spawnWorker(workerEnv(url(), `http://127.0.0.1:${port}`));

    const warning = await waitFor('the unreachable warning', () => worker.logged('no ComfyUI server answers: waiting for one before generating anything')[0], 15_000, [worker]);
    expect(String(warning['hint'])).toContain('npx nx run comfyui-emulator:serve --args="--port 8188"');
    expect(String(warning['hint'])).toContain('COMFYUI_BASE_URL');
    const perServer = worker.logs().find((l) => String(l['message']).startsWith(`cannot reach ComfyUI at http://127.0.0.1:${port}/`));
    expect(perServer).toMatchObject({ level: 'warn', server: `http://127.0.0.1:${port}/` });
    expect(String(perServer?.['error'])).toContain('ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 1500));
    expect(worker.alive()).toBe(true);
    // Paused, not failing: no job was created, so none spends its retries against a missing server.
    expect(await runJobs(db.dataSource, run.id)).toEqual([]);

    const comfy = await emulator({ port, promptDurationMs: 10 });
    await waitFor('2 candidates once ComfyUI is up', () => runFinished(db.dataSource, run.id, 2), 20_000, [worker]);
    expect(worker.logged('ComfyUI reachable')).toHaveLength(1);
    expect(comfy.stats().promptsAccepted).toBe(2);
    expect(await stopWorker(worker, 'SIGINT')).toMatchObject({ code: 0 });
  }, 60_000);

  it('applies COMFYUI_TIMEOUT to a job whose file sets no timeout', async () => {
    const comfy = await emulator({ promptDurationMs: 5000 });
    const dir = tempDir();
    const run = await createRun(db.dataSource, pipelineYaml({ steps: ['Slow'], count: 1, timeout: 'unset' }), dir, 'env-timeout');
    const worker = spawnWorker(workerEnv(url(), comfy.url, { COMFYUI_TIMEOUT: '1', COMFYUI_MAX_RETRIES: '0' }));

    const failed = await waitFor(
      'the job to fail',
      async () => (await runJobs(db.dataSource, run.id)).find((job) => job.status === 'failed'),
      15_000,
      [worker],
    );

    expect(failed.jobPayload.timeoutSeconds).toBe(1);
    expect(failed.errorMessage).toMatch(/^Slow: timed out after 1 s on http:\/\/127\.0\.0\.1:\d+, prompt /);
    // Well before the prompt's 5 s: the 1 s limit, not the 300 s default, stopped it.
    expect(must(failed.completedAt, 'completedAt').getTime() - must(failed.submittedAt, 'submittedAt').getTime()).toBeLessThan(4000);
    expect(await runCandidates(db.dataSource, run.id)).toHaveLength(0);
    expect(await stopWorker(worker, 'SIGTERM')).toMatchObject({ code: 0 });
  });

  it('exits 2 on bad configuration, naming the variable and hiding secrets', async () => {
    const worker = spawnWorker({ COMFYUI_POLL_INTERVAL: 'soon', DATABASE_URL: 'mysql://root:hunter2-secret@db/kiln', KILN_METRICS_PORT: '0' });
    const result = await worker.exited;
    expect(result.code).toBe(2);
    expect(worker.output.stderr).toContain('COMFYUI_POLL_INTERVAL="soon"');
    expect(worker.output.stderr).toContain('DATABASE_URL=<hidden>');
    expect(worker.output.stdout + worker.output.stderr).not.toContain('hunter2-secret');
  });

  it('exits 2 naming KILN_METRICS_PORT when the port is taken', async () => {
    const comfy = await emulator();
    const worker = spawnWorker(workerEnv(url(), comfy.url, { KILN_METRICS_PORT: String(comfy.port) }));
    const result = await worker.exited;
    expect(result.code).toBe(2);
    expect(worker.output.stderr).toContain('KILN_METRICS_PORT');
  });

  it('--migrate-only applies migrations and exits 0', async () => {
    const worker = spawnWorker(workerEnv(url(), 'http://127.0.0.1:1'), ['--migrate-only']);
    expect((await worker.exited).code).toBe(0);
    expect(worker.logged('migrations applied')).toHaveLength(1);
  });
});
