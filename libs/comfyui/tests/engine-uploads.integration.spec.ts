import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { comfyUiFixturesDir, openKilnTestDatabase, workflowCorpusDir, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import { ComfyUiJob } from '../src/jobs/comfyui-job.entity';
import { createRunFromYaml, startEmulatorForTest, tempDir, testEngine } from './support/engine-harness';

// Four img2img items on one photo and one on another: two distinct contents, so two uploads.
const yaml = `
version: 1
output: { dir: out }
defaults: { seed: 3, workflow: workflows/sdxl-img2img.api.json, denoise: 0.5 }
items:
  - { name: a, prompt: p, image: inputs/photo.png, count: 2 }
  - { name: b, prompt: p, image: inputs/photo.png }
  - { name: c, prompt: p, image: inputs/copy-of-photo.png }
  - { name: d, prompt: p, image: inputs/other.png }
`;

describe('input files are uploaded once per content and server (emulator, PostgreSQL)', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    db = await openKilnTestDatabase('postgres');
    emulator = await startEmulatorForTest();
  }, 60_000);

  afterAll(async () => {
    await emulator?.close();
    await db?.close();
  });

  it('sends each distinct file once, however many jobs (and file names) use it, and binds every job to it', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'workflows'));
    mkdirSync(join(dir, 'inputs'));
    copyFileSync(join(workflowCorpusDir(), 'sdxl-img2img.api.json'), join(dir, 'workflows/sdxl-img2img.api.json'));
    copyFileSync(join(comfyUiFixturesDir(), 'responses/get_view_output_png.png'), join(dir, 'inputs/photo.png'));
    copyFileSync(join(comfyUiFixturesDir(), 'responses/get_view_output_png.png'), join(dir, 'inputs/copy-of-photo.png'));
    copyFileSync(join(comfyUiFixturesDir(), 'responses/get_view_inverted_png.png'), join(dir, 'inputs/other.png'));
    const uploadsBefore = emulator.stats().requestsByRoute['POST /upload/image'] ?? 0;
    const run = await createRunFromYaml(db.dataSource, yaml, dir);
    const { engine } = testEngine(db.dataSource, [emulator.url], { maxInFlightPerServer: 4 });
    await engine.start();
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();

    expect(summary).toMatchObject({ completed: 5, failed: [] });
    expect((emulator.stats().requestsByRoute['POST /upload/image'] ?? 0) - uploadsBefore).toBe(2);
    const jobs = await db.dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: run.id });
    const names = new Set(jobs.map((job) => (job.resultMetadata?.prompt?.[2] as Record<string, { inputs: Record<string, unknown> }> | undefined)?.['10']?.inputs['image']));
    expect(names.size).toBe(2);
    for (const name of names) expect(readFileSync(join(emulator.inputDir, String(name))).length).toBeGreaterThan(0);
  }, 60_000);
});
