import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, closeSync, constants, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { listRunCandidates, selectCandidates } from '@kiln/pipeline';
import { comfyUiFixturesDir, openKilnTestDatabase, workflowCorpusDir, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import type { JobEngine } from '../src';
import { createRunFromYaml, startEmulatorForTest, tempDir, testEngine } from './support/engine-harness';

// The spec checked its input files when the run was made; by the time a job uploads them they may
// have been replaced. A FIFO would block the read forever, /dev/zero would grow memory without end:
// each fails its job at once, naming the file, what it was for and the fix.

/** Replaces `file` with a FIFO; returns a function that unblocks any reader left on it (for cleanup). */
function fifoAt(file: string): () => void {
  rmSync(file);
  execFileSync('mkfifo', [file]);
  return () => {
    try {
      closeSync(openSync(file, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // no reader: nothing to unblock
    }
  };
}

/** Settles within `ms`, or fails naming what hung. */
async function settledWithin(engine: JobEngine, runId: string, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`run ${runId} did not settle in ${ms} ms (an upload hangs)`)), ms)));
  try {
    return await Promise.race([engine.whenRunSettled(runId), hung]);
  } finally {
    clearTimeout(timer);
  }
}

describe('input files replaced after the run was made (emulator, PostgreSQL)', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;
  const cleanups: Array<() => void> = [];

  beforeAll(async () => {
    db = await openKilnTestDatabase('postgres');
    emulator = await startEmulatorForTest();
  }, 60_000);

  afterAll(async () => {
    for (const cleanup of cleanups) cleanup();
    await emulator?.close();
    await db?.close();
  });

  it("fails an item whose image: became a FIFO and one whose mask: became /dev/zero, at once and with the fix", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'workflows'));
    mkdirSync(join(dir, 'inputs'));
    for (const file of ['sdxl-img2img.api.json', 'sd15-inpaint.api.json']) copyFileSync(join(workflowCorpusDir(), file), join(dir, 'workflows', file));
    copyFileSync(join(comfyUiFixturesDir(), 'responses/get_view_output_png.png'), join(dir, 'inputs/photo.png'));
    copyFileSync(join(comfyUiFixturesDir(), 'responses/get_view_inverted_png.png'), join(dir, 'inputs/mask.png'));
    copyFileSync(join(comfyUiFixturesDir(), 'responses/get_view_inverted_png.png'), join(dir, 'inputs/other.png'));
    const run = await createRunFromYaml(
      db.dataSource,
      [
        'version: 1',
        'output: { dir: out }',
        'defaults: { seed: 3 }',
        'items:',
        '  - { name: Piped, prompt: p, workflow: workflows/sdxl-img2img.api.json, image: inputs/other.png, denoise: 0.5 }',
        '  - { name: Zeroed, prompt: p, workflow: workflows/sd15-inpaint.api.json, image: inputs/photo.png, mask: inputs/mask.png }',
        '',
      ].join('\n'),
      dir,
    );
    cleanups.push(fifoAt(join(dir, 'inputs/other.png')));
    rmSync(join(dir, 'inputs/mask.png'));
    symlinkSync('/dev/zero', join(dir, 'inputs/mask.png'));
    const { engine } = testEngine(db.dataSource, [emulator.url]);
    await engine.start();
    try {
      const summary = await settledWithin(engine, run.id, 20_000);

      expect(summary.completed).toBe(0);
      const errors = Object.fromEntries(summary.failed.map((f) => [f.label, f.error]));
      expect(errors['Piped']).toContain(`the input file ${join(dir, 'inputs/other.png')} (image: of the item) is a FIFO (named pipe), not a regular file; fix: put the image file back at that path, then retry the job (kiln jobs retry `);
      expect(errors['Zeroed']).toContain(`the input file ${join(dir, 'inputs/mask.png')} (mask: of the item) is a device, not a regular file; fix: put the image file back`);
    } finally {
      await engine.stop();
    }
  }, 60_000);

  it("fails the children of a candidate whose image became a FIFO, naming the parent image", async () => {
    const dir = tempDir();
    const run = await createRunFromYaml(
      db.dataSource,
      'version: 1\noutput: { dir: out }\ndefaults: { checkpoint: v1-5-pruned-emaonly.safetensors, width: 64, height: 64, steps: 2, seed: 7 }\nsteps:\n  - { name: Hero, prompt: a hero, count: 1, children: 2 }\n',
      dir,
    );
    const { engine } = testEngine(db.dataSource, [emulator.url]);
    await engine.start();
    try {
      expect(await settledWithin(engine, run.id, 20_000)).toMatchObject({ completed: 1, failed: [] });
      const [parent] = await listRunCandidates(db.dataSource.manager, run.id);
      cleanups.push(fifoAt(parent.imagePath));
      await selectCandidates(db.dataSource.manager, [parent.id]);
      engine.wake();

      const summary = await settledWithin(engine, run.id, 20_000);

      expect(summary.failed).toHaveLength(2);
      for (const failure of summary.failed) {
        expect(failure.error).toContain(`the parent image ${parent.imagePath} (the selected candidate this child generation starts from) is a FIFO (named pipe), not a regular file; fix: put the candidate's image back at that path`);
      }
    } finally {
      await engine.stop();
    }
  }, 60_000);
});
