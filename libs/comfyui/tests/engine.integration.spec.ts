import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ImageCandidate, listRunCandidates, selectCandidates } from '@kiln/pipeline';
import { openKilnTestDatabase, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import { ComfyUiJob } from '../src/jobs/comfyui-job.entity';
import { createRunFromYaml, startEmulatorForTest, tempDir, testEngine } from './support/engine-harness';

const pipelineYaml = `
version: 1
output: { dir: out }
defaults:
  checkpoint: v1-5-pruned-emaonly.safetensors
  width: 64
  height: 64
  steps: 4
  seed: 1234
steps:
  - name: Heroes
    prompt: portrait of a hero
    count: 5
    children: 3
  - name: Villains
    prompt: portrait of a villain
    count: 5
    children: 3
`;

describe('job engine against the emulator (PostgreSQL)', () => {
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

  it('generates base candidates, then children of the selected ones, with lineage and files in place', async () => {
    const dir = tempDir();
    const run = await createRunFromYaml(db.dataSource, pipelineYaml, dir);
    const { engine, events } = testEngine(db.dataSource, [emulator.url]);
    await engine.start();

    const first = await engine.whenRunSettled(run.id);
    const bases = await listRunCandidates(db.dataSource.manager, run.id);
    const chosen = [bases.find((c) => c.imagePath.includes('/heroes/'))!, bases.find((c) => c.imagePath.includes('/villains/'))!];
    await selectCandidates(db.dataSource.manager, chosen.map((c) => c.id));
    engine.wake();
    const second = await engine.whenRunSettled(run.id);
    await engine.stop();

    const candidates = await listRunCandidates(db.dataSource.manager, run.id);
    const jobs = await db.dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: run.id });
    expect(first).toMatchObject({ completed: 10, failed: [] });
    expect(second).toMatchObject({ settled: true, completed: 16, failed: [] });
    expect(candidates).toHaveLength(16);
    for (const parent of chosen) {
      const reread = await db.dataSource.getRepository(ImageCandidate).findOneByOrFail({ id: parent.id });
      const children = candidates.filter((c) => c.parentId === parent.id);
      expect(reread.childCount).toBe(3);
      expect(children.map((c) => c.generation)).toEqual([1, 1, 1]);
      expect(children.map((c) => c.index).sort()).toEqual([0, 1, 2]);
    }
    for (const candidate of candidates) {
      expect(candidate.imagePath.startsWith(join(dir, 'out') + '/')).toBe(true);
      expect(readFileSync(candidate.imagePath).subarray(1, 4).toString()).toBe('PNG');
      expect(existsSync(candidate.imagePath.replace(/\.png$/, '.json'))).toBe(true);
    }
    expect(new Set(candidates.map((c) => c.imagePath)).size).toBe(16);
    expect(jobs).toHaveLength(16);
    for (const job of jobs) {
      expect(job.status).toBe('completed');
      expect(job.processedAt).not.toBeNull();
      expect(job.submittedAt!.getTime()).toBeLessThanOrEqual(job.completedAt!.getTime());
      expect(job.candidateId).not.toBeNull();
    }
    expect(new Set(jobs.map((j) => j.promptId)).size).toBe(16);
    expect(emulator.stats().promptsAccepted).toBe(16);
    expect(events.filter((e) => e.type === 'job_completed')).toHaveLength(16);
    const leftovers = readdirSync(join(dir, 'out'), { recursive: true }).filter((f) => String(f).endsWith('.kiln-part'));
    expect(leftovers).toEqual([]);
  }, 60_000);
});
