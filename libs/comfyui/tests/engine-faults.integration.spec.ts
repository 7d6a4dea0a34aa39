import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { listRunCandidates } from '@kiln/pipeline';
import { openKilnTestDatabase, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import { retryFailedJobs } from '../src';
import { ComfyUiJob } from '../src/jobs/comfyui-job.entity';
import { createRunFromYaml, startEmulatorForTest, tempDir, testEngine } from './support/engine-harness';

function batchYaml(items: string[], extra = ''): string {
  return `
version: 1
output: { dir: out }
defaults:
  checkpoint: v1-5-pruned-emaonly.safetensors
  width: 64
  height: 64
  steps: 2
  seed: 99
  timeout: 2
${extra}
items:
${items.map((name) => `  - { name: ${name}, prompt: portrait of ${name} }`).join('\n')}
`;
}

describe('job engine under faults (PostgreSQL)', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    db = await openKilnTestDatabase('postgres');
    emulator = await startEmulatorForTest({ promptDurationMs: 30 });
  }, 60_000);

  afterEach(async () => {
    await emulator.reset();
  });

  afterAll(async () => {
    await emulator?.close();
    await db?.close();
  });

  async function runToEnd(yaml: string, setup?: () => void | Promise<void>, overrides = {}) {
    const dir = tempDir();
    const run = await createRunFromYaml(db.dataSource, yaml, dir);
    await setup?.();
    const { engine, events } = testEngine(db.dataSource, [emulator.url], overrides);
    await engine.start();
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();
    const jobs = await db.dataSource.getRepository(ComfyUiJob).find({ where: { pipelineRunId: run.id }, order: { slotIndex: 'ASC' } });
    const candidates = await listRunCandidates(db.dataSource.manager, run.id);
    return { run, dir, summary, events, jobs, candidates };
  }

  it('retries submissions refused with 500s and dropped connections, then succeeds without running anything twice', async () => {
    const { summary, jobs, events } = await runToEnd(batchYaml(['Ada', 'Bob', 'Cy']), () =>
      emulator.setFaults({
        requests: [
          { route: 'POST /prompt', status: 500, times: 2 },
          { route: 'POST /prompt', destroySocket: true, times: 1 },
        ],
      }),
    );

    expect(summary).toMatchObject({ settled: true, completed: 3, failed: [] });
    expect(jobs.reduce((n, j) => n + j.retryCount, 0)).toBeGreaterThanOrEqual(3);
    expect(events.filter((e) => e.type === 'job_retrying').length).toBeGreaterThanOrEqual(3);
    expect(emulator.stats().promptsExecuted).toBe(3);
  }, 30_000);

  it('does not post a prompt again when the server accepted it but the answer was lost', async () => {
    const { summary, jobs } = await runToEnd(batchYaml(['Dee']), () =>
      emulator.setFaults({ requests: [{ route: 'POST /prompt', status: 500, afterHandler: true, times: 1 }] }),
    );

    expect(summary).toMatchObject({ completed: 1, failed: [] });
    expect(jobs[0].retryCount).toBe(1);
    expect(emulator.stats().promptsExecuted).toBe(1);
  }, 30_000);

  it('gives up after COMFYUI_MAX_RETRIES and says so, naming the item', async () => {
    const { summary, jobs } = await runToEnd(
      batchYaml(['Eve']),
      () => emulator.setFaults({ requests: [{ route: 'POST /prompt', status: 503 }] }),
      { maxRetries: 2 },
    );

    expect(summary.completed).toBe(0);
    expect(jobs[0]).toMatchObject({ status: 'failed', retryCount: 2 });
    expect(summary.failed[0].error).toMatch(/^Eve: gave up after 3 attempts \(COMFYUI_MAX_RETRIES=2\)/);
  }, 30_000);

  it('times out a hung prompt: interrupts it on the server and fails it with a message naming item, server and prompt', async () => {
    const { summary, jobs, candidates } = await runToEnd(batchYaml(['Hung', 'Fine']), () => emulator.setFaults({ hangPrompts: 1 }));

    const hung = jobs.find((j) => j.status === 'failed')!;
    expect(summary.completed).toBe(1);
    expect(hung.errorMessage).toBe(`${hung.jobPayload.label}: timed out after 2 s on ${emulator.url}, prompt ${hung.promptId}`);
    expect(candidates).toHaveLength(1);
    expect(emulator.stats()).toMatchObject({ running: false, promptsInterrupted: 1, promptsSucceeded: 1 });
  }, 30_000);

  it('records a timeout as a timeout even when the interrupted prompt\'s events arrive before the /interrupt answer', async () => {
    // The interrupt happens at once, its answer comes 1 s later: the socket reports the prompt
    // interrupted (and history says so) while the timeout is still waiting for that answer.
    const { summary, jobs } = await runToEnd(batchYaml(['Hung']), () =>
      emulator.setFaults({ hangPrompts: 1, requests: [{ route: 'POST /interrupt', delayMs: 1_000 }] }),
    );

    expect(summary.completed).toBe(0);
    expect(jobs[0].errorMessage).toBe(`${jobs[0].jobPayload.label}: timed out after 2 s on ${emulator.url}, prompt ${jobs[0].promptId}`);
    expect(emulator.stats()).toMatchObject({ running: false, promptsInterrupted: 1 });
  }, 30_000);

  it('fails a prompt that ComfyUI fails at run time with its error, without retrying', async () => {
    const { summary, jobs } = await runToEnd(batchYaml(['Broken']), () =>
      emulator.setFaults({ failPrompts: 1, failPromptMessage: 'CUDA out of memory' }),
    );

    expect(summary.completed).toBe(0);
    expect(jobs[0].retryCount).toBe(0);
    expect(jobs[0].errorMessage).toMatch(/^Broken: ComfyUI failed the prompt on .* at node \d+ \(\w+\): .*CUDA out of memory$/);
    expect(emulator.stats().promptsAccepted).toBe(1);
  }, 30_000);

  it('downloads a corrupt image again and keeps the good copy, without generating it twice', async () => {
    const { summary, jobs, dir } = await runToEnd(batchYaml(['Glitchy']), () => emulator.setFaults({ corruptViews: 1 }));

    expect(summary).toMatchObject({ completed: 1, failed: [] });
    expect(jobs[0]).toMatchObject({ status: 'completed', retryCount: 1, errorMessage: null });
    expect(existsSync(join(dir, 'out', 'glitchy.png'))).toBe(true);
    expect(emulator.stats().promptsAccepted).toBe(1);
  }, 30_000);

  it('fails a job whose image stays corrupt past its retries, and a manual retry brings it home', async () => {
    const { summary, jobs, dir } = await runToEnd(batchYaml(['Glitch']), () => emulator.setFaults({ corruptViews: 2 }), { maxRetries: 1 });

    expect(summary.completed).toBe(0);
    expect(jobs[0].errorMessage).toMatch(/is not a complete PNG, JPEG or WebP image.*kiln jobs retry/);
    expect(existsSync(join(dir, 'out', 'glitch.png'))).toBe(false);

    const retried = await retryFailedJobs(db.dataSource.manager, [jobs[0].id]);
    const { engine } = testEngine(db.dataSource, [emulator.url]);
    await engine.start();
    const after = await engine.whenRunSettled(jobs[0].pipelineRunId);
    await engine.stop();
    expect(retried).toEqual([{ jobId: jobs[0].id, label: 'Glitch', action: 'reprocess' }]);
    expect(after).toMatchObject({ completed: 1, failed: [] });
    expect(existsSync(join(dir, 'out', 'glitch.png'))).toBe(true);
    expect(emulator.stats().promptsAccepted).toBe(1);
  }, 30_000);

  it('tries a download that failed for a passing reason again later instead of failing the job', async () => {
    // Three 503s: both attempts of the first processing fail, and the first of the second.
    const { summary, jobs, dir } = await runToEnd(batchYaml(['Flaky']), () => emulator.setFaults({ requests: [{ route: 'GET /view', status: 503, times: 3 }] }));

    expect(summary).toMatchObject({ completed: 1, failed: [] });
    expect(jobs[0]).toMatchObject({ status: 'completed', retryCount: 1, errorMessage: null, nextAttemptAt: null });
    expect(jobs[0].processedAt).not.toBeNull();
    expect(existsSync(join(dir, 'out', 'flaky.png'))).toBe(true);
    expect(emulator.stats().promptsAccepted).toBe(1);
  }, 30_000);

  it('fails a job whose download keeps failing once the retry budget is spent, with the retry command', async () => {
    const { summary, jobs } = await runToEnd(batchYaml(['Gone']), () => emulator.setFaults({ requests: [{ route: 'GET /view', status: 503 }] }), { maxRetries: 1 });

    expect(summary.completed).toBe(0);
    expect(jobs[0]).toMatchObject({ status: 'failed', retryCount: 1 });
    expect(jobs[0].errorMessage).toMatch(/^Gone: downloading .* failed: .*503.*retry with: kiln jobs retry /);
  }, 30_000);

  it('resubmits prompts lost in a server restart and finishes every item', async () => {
    const dir = tempDir();
    const run = await createRunFromYaml(db.dataSource, batchYaml(['R1', 'R2', 'R3', 'R4', 'R5', 'R6']), dir);
    const { engine } = testEngine(db.dataSource, [emulator.url]);
    let restarted = false;
    const { engine: watched } = { engine };
    await watched.start();
    // Restart while prompts are queued on the server.
    while (!restarted) {
      const inFlight = await db.dataSource.getRepository(ComfyUiJob).countBy({ pipelineRunId: run.id, status: 'submitted' });
      if (inFlight > 0) {
        await emulator.restart(200);
        restarted = true;
      } else await new Promise((r) => setTimeout(r, 5));
    }
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();

    const jobs = await db.dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: run.id });
    const files = readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.png')).sort();
    expect(summary).toMatchObject({ completed: 6, failed: [] });
    expect(jobs.some((j) => j.retryCount > 0)).toBe(true);
    expect(files).toEqual(['r1.png', 'r2.png', 'r3.png', 'r4.png', 'r5.png', 'r6.png']);
  }, 30_000);

  it('shares work between two engines on one database without submitting any job twice', async () => {
    const dir = tempDir();
    const names = Array.from({ length: 12 }, (_, i) => `Twin${i + 1}`);
    const run = await createRunFromYaml(db.dataSource, batchYaml(names), dir);
    const a = testEngine(db.dataSource, [emulator.url], { workerId: 'worker-a', maxInFlightPerServer: 3 });
    const b = testEngine(db.dataSource, [emulator.url], { workerId: 'worker-b', maxInFlightPerServer: 3 });
    await Promise.all([a.engine.start(), b.engine.start()]);

    const [summary] = await Promise.all([a.engine.whenRunSettled(run.id), b.engine.whenRunSettled(run.id)]);
    await Promise.all([a.engine.stop(), b.engine.stop()]);

    const submittedBy = (events: typeof a.events) => events.filter((e) => e.type === 'job_submitted').map((e) => e.jobId);
    const fromA = submittedBy(a.events);
    const fromB = submittedBy(b.events);
    expect(summary).toMatchObject({ completed: 12, failed: [] });
    expect(fromA.filter((id) => fromB.includes(id))).toEqual([]);
    expect(fromA.length + fromB.length).toBe(12);
    expect(emulator.stats().promptsAccepted).toBe(12);
  }, 30_000);
});
