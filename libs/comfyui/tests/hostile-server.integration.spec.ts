import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openKilnTestDatabase, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import { ComfyUiJob } from '../src/jobs/comfyui-job.entity';
import { createRunFromYaml, startEmulatorForTest, tempDir, testEngine } from './support/engine-harness';
import { startTamperingProxy, type Exchange, type TamperingProxy } from './support/tampering-proxy';

// A ComfyUI that answers with hostile paths, oversized bodies, foreign prompt ids and trickling
// downloads: every job still ends (done or failed with what the server sent), nothing is queued
// twice, and a stop ends a stuck download at once.

function batchYaml(items: string[], timeout = 5): string {
  return `
version: 1
output: { dir: out }
defaults: { checkpoint: v1-5-pruned-emaonly.safetensors, width: 64, height: 64, steps: 2, seed: 7, timeout: ${timeout} }
items:
${items.map((name) => `  - { name: ${name}, prompt: portrait of ${name} }`).join('\n')}
`;
}

/** Rewrites every image of a `/history/{id}` answer with `image`. */
function historyImagesReplacedBy(image: Record<string, unknown>) {
  return (exchange: Exchange) => {
    if (exchange.method !== 'GET' || !exchange.path.startsWith('/history/')) return undefined;
    const history = JSON.parse(exchange.body.toString()) as Record<string, { outputs: Record<string, { images?: unknown[] }> }>;
    for (const entry of Object.values(history)) {
      for (const output of Object.values(entry.outputs)) if (output.images) output.images = output.images.map(() => image);
    }
    return { body: JSON.stringify(history) };
  };
}

describe('job engine against a hostile ComfyUI (PostgreSQL)', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;
  let proxy: TamperingProxy;

  beforeAll(async () => {
    db = await openKilnTestDatabase('postgres');
    emulator = await startEmulatorForTest({ promptDurationMs: 20 });
    proxy = await startTamperingProxy(emulator.url);
  }, 60_000);

  afterEach(async () => {
    proxy.set({});
    await emulator.reset();
  });

  afterAll(async () => {
    await proxy?.close();
    await emulator?.close();
    await db?.close();
  });

  async function runToEnd(yaml: string, overrides = {}) {
    const dir = tempDir();
    const run = await createRunFromYaml(db.dataSource, yaml, dir);
    const { engine, events } = testEngine(db.dataSource, [proxy.url], { maxRetries: 2, ...overrides });
    await engine.start();
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();
    const jobs = await db.dataSource.getRepository(ComfyUiJob).find({ where: { pipelineRunId: run.id }, order: { slotIndex: 'ASC' } });
    return { run, dir, summary, events, jobs };
  }

  it.each([
    ['a path as filename', { filename: '../../x.png', subfolder: '', type: 'output' }, '../../x.png'],
    ['an absolute subfolder', { filename: 'x.png', subfolder: '/etc', type: 'output' }, 'absolute subfolder'],
    ['a NUL in the filename', { filename: 'x\u0000.png', subfolder: '', type: 'output' }, 'NUL in filename'],
  ])('fails a job whose history names %s after its retries, saying what the server sent, and the run ends', async (_what, image, shown) => {
    proxy.set({ response: historyImagesReplacedBy(image) });

    const { summary, jobs, dir, events } = await runToEnd(batchYaml(['Evil']));

    expect(summary).toMatchObject({ settled: true, completed: 0 });
    expect(jobs[0]).toMatchObject({ status: 'failed', retryCount: 2 });
    expect(jobs[0].errorMessage).toMatch(/^Evil: gave up after 3 attempts \(COMFYUI_MAX_RETRIES=2\): .* sent an unusable answer .*COMFYUI_BAD_RESPONSE/);
    expect(jobs[0].errorMessage).toContain(shown);
    expect(events.filter((e) => e.type === 'job_retrying')).toHaveLength(2);
    expect(existsSync(join(dir, 'out', 'evil.png'))).toBe(false);
    expect(emulator.stats().promptsAccepted).toBe(1);
  }, 30_000);

  it('fails a job whose /history answer is over 32 MiB after its retries, and the run ends', async () => {
    const huge = Buffer.alloc(33 * 1024 * 1024, 0x20);
    proxy.set({ response: (x) => (x.method === 'GET' && x.path.startsWith('/history/') ? { body: huge } : undefined) });

    const { summary, jobs } = await runToEnd(batchYaml(['Bloat']));

    expect(summary).toMatchObject({ settled: true, completed: 0 });
    expect(jobs[0].status).toBe('failed');
    expect(jobs[0].errorMessage).toContain('over the limit of 33554432 bytes (client option maxJsonBytes)');
  }, 30_000);

  it('uses the prompt id the server answers with and queues the item once', async () => {
    // A server that ignores the proposed id and makes its own (older ComfyUI, a rewriting proxy).
    proxy.set({
      request: ({ method, path, body }) => {
        if (method !== 'POST' || path !== '/prompt') return undefined;
        const parsed = JSON.parse(body.toString()) as Record<string, unknown>;
        delete parsed['prompt_id'];
        return Buffer.from(JSON.stringify(parsed));
      },
    });

    const { summary, jobs } = await runToEnd(batchYaml(['Renamed']));

    expect(summary).toMatchObject({ completed: 1, failed: [] });
    expect(jobs[0].retryCount).toBe(0);
    expect(emulator.stats().promptsAccepted).toBe(1);
  }, 30_000);

  it('fails a download that trickles past the item timeout, and the run ends', async () => {
    proxy.set({ response: (x) => (x.path.startsWith('/view') ? { bytesPerSecond: 40 } : undefined) });

    const { summary, jobs } = await runToEnd(batchYaml(['Slow'], 1));

    expect(summary).toMatchObject({ settled: true, completed: 0 });
    expect(jobs[0].errorMessage).toMatch(/^Slow: timed out after 1 s on .* downloading .*\.png; retry with: kiln jobs retry /);
  }, 30_000);

  it('stops a stuck download at once when the engine stops, and the next start brings the image home', async () => {
    proxy.set({ response: (x) => (x.path.startsWith('/view') ? { bytesPerSecond: 40 } : undefined) });
    const dir = tempDir();
    const run = await createRunFromYaml(db.dataSource, batchYaml(['Paused'], 600), dir);
    const first = testEngine(db.dataSource, [proxy.url]);
    await first.engine.start();
    const repo = db.dataSource.getRepository(ComfyUiJob);
    while (!(await repo.existsBy({ pipelineRunId: run.id, status: 'completed' }))) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200)); // the download is under way

    await first.engine.stop();
    const stopped = await repo.findOneByOrFail({ pipelineRunId: run.id });
    proxy.set({});
    const second = testEngine(db.dataSource, [proxy.url]);
    await second.engine.start();
    const summary = await second.engine.whenRunSettled(run.id);
    await second.engine.stop();

    expect(stopped).toMatchObject({ status: 'completed', processedAt: null, leaseOwner: null });
    expect(summary).toMatchObject({ completed: 1, failed: [] });
    expect(existsSync(join(dir, 'out', 'paused.png'))).toBe(true);
    expect(emulator.stats().promptsAccepted).toBe(1);
  }, 30_000);
});
