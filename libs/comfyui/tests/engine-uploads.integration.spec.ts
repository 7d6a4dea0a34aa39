import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
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

  it('sends a file again when the server lost it since an earlier job sent it, instead of failing the job', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'workflows'));
    mkdirSync(join(dir, 'inputs'));
    copyFileSync(join(workflowCorpusDir(), 'sdxl-img2img.api.json'), join(dir, 'workflows/sdxl-img2img.api.json'));
    copyFileSync(join(comfyUiFixturesDir(), 'responses/get_view_inverted_png.png'), join(dir, 'inputs/photo.png'));
    const one = 'version: 1\noutput: { dir: out }\ndefaults: { seed: 3, workflow: workflows/sdxl-img2img.api.json }\nitems:\n  - { name: a, prompt: p, image: inputs/photo.png }\n';
    const { engine } = testEngine(db.dataSource, [emulator.url]);
    await engine.start();
    try {
      const first = await createRunFromYaml(db.dataSource, one, dir, 'first');
      expect(await engine.whenRunSettled(first.id)).toMatchObject({ completed: 1, failed: [] });
      const [job] = await db.dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: first.id });
      // ComfyUI's input folder cleaned while the engine runs.
      rmSync(join(emulator.inputDir, job.jobPayload.uploads[0].uploadName));
      const uploadsBefore = emulator.stats().requestsByRoute['POST /upload/image'] ?? 0;

      const second = await createRunFromYaml(db.dataSource, one.replace('out }', 'out2 }'), dir, 'second');
      expect(await engine.whenRunSettled(second.id)).toMatchObject({ completed: 1, failed: [] });
      expect((emulator.stats().requestsByRoute['POST /upload/image'] ?? 0) - uploadsBefore).toBe(1);
      const [retried] = await db.dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: second.id });
      expect(retried.retryCount).toBe(1);
    } finally {
      await engine.stop();
    }
  }, 60_000);
});
