import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { listRunCandidates } from '@kiln/pipeline';
import { openKilnTestDatabase, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import { retryFailedJobs } from '../src';
import { partPath, writeFileAtomically, type WriteFile } from '../src/files/write-file-atomically';
import { ComfyUiJob } from '../src/jobs/comfyui-job.entity';
import { createRunFromYaml, startEmulatorForTest, tempDir, testEngine } from './support/engine-harness';

// A disk that fails on demand: full, then not writable. The batch finishes once the fault clears,
// with every image made once, no temporary file left, and no sidecar without its image.

function yaml(items: string[]): string {
  return `
version: 1
output: { dir: out }
defaults: { checkpoint: v1-5-pruned-emaonly.safetensors, width: 64, height: 64, steps: 2, seed: 11 }
items:
${items.map((name) => `  - { name: ${name}, prompt: p }`).join('\n')}
`;
}

/** Fails the next `failures` image writes (not sidecars) with `code`, leaving half a temp file as a full disk does. */
function failingDisk(code: string, failures: number): WriteFile & { failed: number } {
  const disk = Object.assign(
    async (target: string, bytes: Uint8Array, key: string) => {
      if (target.endsWith('.png') && disk.failed < failures) {
        disk.failed++;
        writeFileSync(partPath(target, key), bytes.subarray(0, 10));
        throw Object.assign(new Error(`${code}: simulated, write '${target}'`), { code });
      }
      await writeFileAtomically(target, bytes, key);
    },
    { failed: 0 },
  );
  return disk;
}

/** The run's files, with the stored workflows folder (main's kiln-workflows/) checked for leftovers and left out. */
function outputFiles(out: string): string[] {
  const workflows = join(out, 'kiln-workflows');
  if (existsSync(workflows)) expect(readdirSync(workflows).every((name) => /^[0-9a-f]{64}\.json$/.test(name))).toBe(true);
  return readdirSync(out).filter((name) => name !== 'kiln-workflows').sort();
}

describe('job engine on a failing disk (PostgreSQL)', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    db = await openKilnTestDatabase('postgres');
    emulator = await startEmulatorForTest({ promptDurationMs: 10 });
  }, 60_000);

  afterEach(async () => {
    await emulator.reset();
  });

  afterAll(async () => {
    await emulator?.close();
    await db?.close();
  });

  it.each(['ENOSPC', 'EACCES'])('retries writes that fail with %s and finishes the batch without generating anything twice', async (code) => {
    const dir = tempDir();
    const run = await createRunFromYaml(db.dataSource, yaml(['Ada', 'Ben']), dir);
    const disk = failingDisk(code, 2);
    const { engine } = testEngine(db.dataSource, [emulator.url], { writeFile: disk, maxRetries: 3 });
    await engine.start();
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();

    const jobs = await db.dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: run.id });
    expect(summary).toMatchObject({ completed: 2, failed: [] });
    expect(disk.failed).toBe(2);
    expect(jobs.reduce((n, j) => n + j.retryCount, 0)).toBe(2);
    expect(outputFiles(join(dir, 'out'))).toEqual(['ada.json', 'ada.png', 'ben.json', 'ben.png']);
    expect(emulator.stats().promptsAccepted).toBe(2);
  }, 30_000);

  it('fails with a clear message once the budget is spent, leaves no sidecar without image, and a retry after freeing space finishes without regenerating', async () => {
    const dir = tempDir();
    const run = await createRunFromYaml(db.dataSource, yaml(['Full']), dir);
    const { engine } = testEngine(db.dataSource, [emulator.url], { writeFile: failingDisk('ENOSPC', 100), maxRetries: 1 });
    await engine.start();
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();
    const [job] = await db.dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: run.id });

    expect(summary.completed).toBe(0);
    expect(job.errorMessage).toMatch(/^Full: disk full at .*out \(ENOSPC\); free some space; once fixed, retry with: kiln jobs retry /);
    expect(outputFiles(join(dir, 'out'))).toEqual([]);

    await retryFailedJobs(db.dataSource.manager, [job.id]);
    const healthy = testEngine(db.dataSource, [emulator.url]);
    await healthy.engine.start();
    const after = await healthy.engine.whenRunSettled(run.id);
    await healthy.engine.stop();

    expect(after).toMatchObject({ completed: 1, failed: [] });
    expect(existsSync(join(dir, 'out', 'full.png'))).toBe(true);
    expect(await listRunCandidates(db.dataSource.manager, run.id)).toHaveLength(1);
    expect(emulator.stats().promptsAccepted).toBe(1);
  }, 30_000);

  it('takes the files back when the caller cannot record them (its manifest on a full disk), and a retry finishes without generating again', async () => {
    const dir = tempDir();
    const run = await createRunFromYaml(db.dataSource, yaml(['Listed']), dir);
    const seen: string[][] = [];
    // What the CLI's manifest save does on a full disk: the files are there, its own write fails.
    const fullManifest = () => {
      seen.push(outputFiles(join(dir, 'out')));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC', path: join(dir, 'out', 'kiln-manifest.json.tmp') });
    };
    const { engine } = testEngine(db.dataSource, [emulator.url], { onFilesWritten: fullManifest, maxRetries: 1 });
    await engine.start();
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();
    const [job] = await db.dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: run.id });

    expect(seen).toEqual([
      ['listed.json', 'listed.png'],
      ['listed.json', 'listed.png'],
    ]);
    expect(summary.completed).toBe(0);
    expect(job.errorMessage).toMatch(/^Listed: disk full at .*out \(ENOSPC\); free some space; once fixed, retry with: kiln jobs retry /);
    expect(outputFiles(join(dir, 'out'))).toEqual([]);

    await retryFailedJobs(db.dataSource.manager, [job.id]);
    const recorded: string[] = [];
    const healthy = testEngine(db.dataSource, [emulator.url], { onFilesWritten: (written) => void recorded.push(...written.files.map((f) => f.imagePath)) });
    await healthy.engine.start();
    const after = await healthy.engine.whenRunSettled(run.id);
    await healthy.engine.stop();

    expect(after).toMatchObject({ completed: 1, failed: [] });
    expect(recorded).toEqual([join(dir, 'out', 'listed.png')]);
    expect(outputFiles(join(dir, 'out'))).toEqual(['listed.json', 'listed.png']);
    expect(emulator.stats().promptsAccepted).toBe(1);
  }, 30_000);

  it('refuses to overwrite a file of the user where the sidecar goes', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'mine.json'), 'my own notes');
    const run = await createRunFromYaml(db.dataSource, yaml(['Mine']), dir);
    const { engine } = testEngine(db.dataSource, [emulator.url]);
    await engine.start();
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();

    expect(summary.failed[0].error).toMatch(/mine\.json already exists and was not written by Kiln/);
    expect(readdirSync(join(dir, 'out'))).toEqual(['mine.json']);
  }, 30_000);
});
