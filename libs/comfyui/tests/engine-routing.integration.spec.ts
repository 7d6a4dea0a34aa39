import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openKilnTestDatabase, workflowCorpusDir, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import { ComfyUiJob } from '../src/jobs/comfyui-job.entity';
import { createRunFromYaml, startEmulatorForTest, tempDir, testEngine } from './support/engine-harness';

const FLUX_WORKFLOW = join(workflowCorpusDir(), 'flux-dev-subgraph.api.json');

/** A batch alternating SDXL (built-in txt2img) and Flux (UNET graph) items, `pairs` of each. */
function mixedBatchYaml(pairs: number): string {
  const items = Array.from({ length: pairs }, (_, i) => [
    `  - { name: Castle ${i + 1}, prompt: a castle, checkpoint: sd_xl_base_1.0.safetensors }`,
    `  - { name: Fox ${i + 1}, prompt: a fox, workflow: flux }`,
  ]).flat();
  return [
    'version: 1',
    'output: { dir: out }',
    'workflows:',
    '  flux: { file: flux.api.json, bind: { prompt: "6.inputs.text", seed: "57:25.inputs.noise_seed", width: "57:27.inputs.width", height: "57:27.inputs.height", steps: "57:17.inputs.steps" } }',
    'defaults: { width: 64, height: 64, steps: 2, seed: 9 }',
    'items:',
    ...items,
    '',
  ].join('\n');
}

function dirWithFluxWorkflow(): string {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  copyFileSync(FLUX_WORKFLOW, join(dir, 'flux.api.json'));
  return dir;
}

const SDXL_ONLY = { checkpoints: ['sd_xl_base_1.0.safetensors'], models: { diffusion_models: [] } };
const FLUX_ONLY = { checkpoints: [], models: { diffusion_models: ['flux1-dev.safetensors'] } };

describe('model-aware routing across a heterogeneous pool (PostgreSQL + emulators)', () => {
  let db: TestDatabase;
  const emulators: RunningEmulator[] = [];

  beforeAll(async () => {
    db = await openKilnTestDatabase('postgres');
  }, 60_000);

  afterEach(async () => {
    await Promise.all(emulators.splice(0).map((e) => e.close()));
  });

  afterAll(async () => {
    await db?.close();
  });

  it('sends every job of a mixed batch only to servers that have its models; none fails', async () => {
    const [sdxlA, sdxlB, fluxA, fluxB] = await Promise.all([
      startEmulatorForTest({ ...SDXL_ONLY, promptDurationMs: 30 }),
      startEmulatorForTest({ ...SDXL_ONLY, promptDurationMs: 30 }),
      startEmulatorForTest({ ...FLUX_ONLY, promptDurationMs: 30 }),
      startEmulatorForTest({ ...FLUX_ONLY, promptDurationMs: 30 }),
    ]);
    emulators.push(sdxlA, sdxlB, fluxA, fluxB);
    const run = await createRunFromYaml(db.dataSource, mixedBatchYaml(12), dirWithFluxWorkflow());
    const { engine } = testEngine(db.dataSource, emulators.map((e) => e.url), { runId: run.id });

    await engine.start();
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();

    const jobs = await db.dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: run.id });
    expect(summary).toMatchObject({ completed: 24, failed: [] });
    for (const job of jobs) {
      const isFlux = job.jobPayload.label.startsWith('Fox');
      expect([job.status, isFlux ? [fluxA.url, fluxB.url] : [sdxlA.url, sdxlB.url]]).toEqual(['completed', expect.arrayContaining([job.server])]);
    }
    for (const emulator of emulators) {
      expect(emulator.stats()).toMatchObject({ promptsRejected: 0 });
      expect(emulator.stats().promptsExecuted).toBeGreaterThan(0);
    }
  }, 60_000);

  it('fails a job no server can run, naming per server what it lacks, and runs the rest', async () => {
    const sdxl = await startEmulatorForTest(SDXL_ONLY);
    emulators.push(sdxl);
    const run = await createRunFromYaml(db.dataSource, mixedBatchYaml(1), dirWithFluxWorkflow());
    const { engine } = testEngine(db.dataSource, [sdxl.url], { runId: run.id });

    await engine.start();
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();

    expect(summary.completed).toBe(1);
    expect(summary.failed).toEqual([expect.objectContaining({ error: expect.stringContaining("input unet_name: 'flux1-dev.safetensors' is not offered by the server (diffusion_models)") })]);
    expect(summary.failed[0].error).toContain('no server can run its workflow (preflight)');
    expect(sdxl.stats().promptsRejected).toBe(0);
  }, 60_000);

  it('moves the jobs of a server restarted without their model to a server that has it', async () => {
    const [keeper, loser] = await Promise.all([startEmulatorForTest({ ...FLUX_ONLY, promptDurationMs: 60 }), startEmulatorForTest({ ...FLUX_ONLY, promptDurationMs: 60 })]);
    emulators.push(keeper, loser);
    const run = await createRunFromYaml(db.dataSource, mixedBatchYaml(8).replace(/^ {2}- \{ name: Castle.*\n/gm, ''), dirWithFluxWorkflow());
    const { engine } = testEngine(db.dataSource, [keeper.url, loser.url], { runId: run.id });

    await engine.start();
    while (loser.stats().promptsExecuted < 1) await new Promise((r) => setTimeout(r, 20));
    const restartedAt = Date.now();
    loser.setModels({ diffusion_models: [] });
    await loser.restart(100);
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();

    const jobs = await db.dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: run.id });
    expect(summary).toMatchObject({ completed: 8, failed: [] });
    expect(jobs.every((job) => job.status === 'completed')).toBe(true);
    // The prompts the restart dropped went again (a retry), to the server that has the model;
    // nothing ran on the restarted server after it lost it.
    const sentAfter = jobs.filter((job) => job.submittedAt !== null && job.submittedAt.getTime() >= restartedAt);
    expect(sentAfter.filter((job) => job.retryCount > 0).length).toBeGreaterThan(0);
    expect(sentAfter.filter((job) => job.server !== keeper.url).map((job) => job.jobPayload.label)).toEqual([]);
    expect(loser.stats().historySize).toBe(0);
  }, 60_000);

  it('sends a job the server now rejects with value_not_in_list back to waiting for a capable server instead of failing it', async () => {
    const [keeper, loser] = await Promise.all([startEmulatorForTest({ ...FLUX_ONLY, promptDurationMs: 40 }), startEmulatorForTest({ ...FLUX_ONLY, promptDurationMs: 40 })]);
    emulators.push(keeper, loser);
    const run = await createRunFromYaml(db.dataSource, mixedBatchYaml(8).replace(/^ {2}- \{ name: Castle.*\n/gm, ''), dirWithFluxWorkflow());
    const { engine } = testEngine(db.dataSource, [keeper.url, loser.url], { runId: run.id });

    await engine.start();
    while (loser.stats().promptsAccepted < 1) await new Promise((r) => setTimeout(r, 5));
    // Files removed while the server runs: no restart, no reconnect; only its 400s tell.
    loser.setModels({ diffusion_models: [] });
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();

    const jobs = await db.dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: run.id });
    expect(summary).toMatchObject({ completed: 8, failed: [] });
    expect(loser.stats().promptsRejected).toBeGreaterThan(0);
    expect(jobs.filter((job) => job.errorMessage?.includes('no longer offers')).every((job) => job.server === keeper.url)).toBe(true);
  }, 60_000);
});
