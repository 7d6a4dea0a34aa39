import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageCandidate, selectCandidates } from '@kiln/pipeline';
import { openKilnTestDatabase, startTestEmulator, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import {
  createRun,
  freePort,
  killAllWorkers,
  must,
  parseLogLines,
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
} from './support/worker-harness';

const AUTH_SECRET = 'tok-3c1f9e-never-log-me';
const DB_PASSWORD = 'pw-7d2a41-never-log-me';

const batchYaml = `version: 1
output: { dir: batch-out }
defaults: { checkpoint: v1-5-pruned-emaonly.safetensors, width: 64, height: 64, steps: 2, seed: 1 }
items:
  - name: Not For The Worker
    prompt: a batch item
`;

/** The test schema's URL with a password added (the test server trusts local connections, so it is ignored there). */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

describe('worker process: a pipeline from registration to children of selected candidates', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    db = await openKilnTestDatabase();
    emulator = await startTestEmulator({ promptDurationMs: 20 });
  }, 60_000);

  afterEach(() => killAllWorkers());

  afterAll(async () => {
    await killAllWorkers();
    await emulator?.close();
    await db?.close();
    removeTempDirs();
  });

  it('generates 10 base candidates, then 3 children of each of 2 selected ones; logs, metrics and SIGTERM as documented', async () => {
    const dir = tempDir();
    const run = await createRun(db.dataSource, pipelineYaml({ steps: ['Heroes', 'Villains'], count: 5, children: 3 }), dir, 'acceptance');
    // Registered after the main run (runs are worked oldest first): a workflow ComfyUI rejects, for the failure log.
    const broken = await createRun(db.dataSource, pipelineYaml({ steps: ['Broken'], count: 1, checkpoint: 'no-such-model.safetensors' }), dir, 'broken');
    // A batch run (what `kiln run` drives in its own process): not the worker's to take.
    const batch = await createRun(db.dataSource, batchYaml, dir, 'batch');
    expect(batch.kind).toBe('batch');
    expect(run.kind).toBe('pipeline');
    const metricsPort = await freePort();
    const worker = spawnWorker(
      workerEnv(withPassword(must(db.url, 'the test database URL'), DB_PASSWORD), emulator.url, {
        KILN_METRICS_PORT: String(metricsPort),
        LOG_LEVEL: 'debug',
        COMFYUI_AUTH_HEADER: `X-Kiln-Token: ${AUTH_SECRET}`,
      }),
    );

    await waitFor('10 base candidates', async () => (await runCandidates(db.dataSource, run.id)).length === 10, 30_000, [worker]);

    // /metrics and /healthz while it works.
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    for (const name of ['kiln_jobs_submitted_total', 'kiln_jobs_completed_total', 'kiln_jobs_failed_total', 'kiln_job_retries_total', 'kiln_job_duration_seconds', 'kiln_jobs_in_flight', 'kiln_jobs_pending']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/^kiln_jobs_completed_total\{server="[^"]+"\} \d+/m);
    // Process metrics too: heap and RSS for leaks, event-loop lag for a stalled loop.
    for (const name of ['nodejs_heap_size_used_bytes', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) expect(text).toContain(`# TYPE ${name} `);
    const health = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'postgres', comfyui: { [`${emulator.url}/`]: 'reachable' } });

    // A person picks one hero and one villain; the worker notices on its next submit tick.
    const bases = await runCandidates(db.dataSource, run.id);
    const chosen = [must(bases.find((c) => c.imagePath.includes('/heroes/')), 'a hero'), must(bases.find((c) => c.imagePath.includes('/villains/')), 'a villain')];
    await selectCandidates(db.dataSource.manager, chosen.map((c) => c.id));
    await waitFor('16 candidates, every job completed and processed', () => runFinished(db.dataSource, run.id, 16), 30_000, [worker]);
    await waitFor('the broken job to fail', async () => (await runJobs(db.dataSource, broken.id)).some((j) => j.status === 'failed'), 10_000, [worker]);

    const stopped = await stopWorker(worker, 'SIGTERM');
    expect(stopped).toMatchObject({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(5000);

    // Files, lineage, jobs.
    const candidates = await runCandidates(db.dataSource, run.id);
    const jobs = await runJobs(db.dataSource, run.id);
    expect(candidates).toHaveLength(16);
    for (const parent of chosen) {
      const reread = await db.dataSource.getRepository(ImageCandidate).findOneByOrFail({ id: parent.id });
      const children = candidates.filter((c) => c.parentId === parent.id);
      expect(reread.childCount).toBe(3);
      expect(children.map((c) => c.generation)).toEqual([1, 1, 1]);
      expect(children.map((c) => c.index).sort()).toEqual([0, 1, 2]);
      expect(children.every((c) => c.stepId === parent.stepId)).toBe(true);
    }
    expect(candidates.filter((c) => c.parentId === null)).toHaveLength(10);
    expect(candidates.filter((c) => !chosen.some((p) => p.id === c.id) && c.parentId === null).every((c) => c.childCount === 0)).toBe(true);
    for (const candidate of candidates) {
      const stepFolder = candidate.imagePath.includes('/heroes/') ? 'heroes' : 'villains';
      expect(candidate.imagePath).toMatch(new RegExp(`^${join(dir, 'out', stepFolder)}/[0-9a-f]+_\\d{8}T\\d{6}Z\\.png$`));
      expect(readFileSync(candidate.imagePath).subarray(1, 4).toString()).toBe('PNG');
      expect(existsSync(candidate.imagePath.replace(/\.png$/, '.json'))).toBe(true);
    }
    expect(new Set(candidates.map((c) => c.imagePath)).size).toBe(16);
    expect(new Set(candidates.map((c) => `${c.stepId}/${c.parentId}/${c.index}`)).size).toBe(16);
    expect(jobs).toHaveLength(16);
    for (const job of jobs) {
      expect(job.status).toBe('completed');
      expect(job.submittedAt).not.toBeNull();
      expect(job.completedAt).not.toBeNull();
      expect(job.processedAt).not.toBeNull();
      expect(must(job.submittedAt, 'submittedAt').getTime()).toBeLessThanOrEqual(must(job.completedAt, 'completedAt').getTime());
      expect(job.candidateId).not.toBeNull();
      expect(job.leaseOwner).toBeNull();
    }
    expect(new Set(jobs.map((j) => j.promptId)).size).toBe(16);
    expect(emulator.stats().promptsAccepted).toBe(16); // none posted twice
    expect(emulator.stats().promptsRejected).toBe(0); // the broken run's one job failed the worker's preflight: never posted
    expect(partFiles(dir)).toEqual([]);
    expect(await runJobs(db.dataSource, batch.id)).toEqual([]);
    expect(await runCandidates(db.dataSource, batch.id)).toEqual([]);

    // Logs: JSON lines (stdout is a pipe), with the context the seed asks for.
    const logs = worker.logs();
    const submitted = worker.logged('job submitted');
    expect(submitted).toHaveLength(16);
    for (const line of submitted) {
      expect(line).toMatchObject({ level: 'info', jobId: expect.any(String), promptId: expect.any(String), server: emulator.url, label: expect.any(String), seed: expect.any(Number) });
      expect(line['summary']).toMatchObject({ prompt: expect.stringMatching(/^portrait of /), checkpoint: 'v1-5-pruned-emaonly.safetensors', width: 64, height: 64 });
    }
    const statusChecks = worker.logged('job status');
    expect(statusChecks.length).toBeGreaterThan(0);
    for (const line of statusChecks) expect(line).toMatchObject({ level: 'debug', jobId: expect.any(String), promptId: expect.any(String), state: expect.any(String), ms: expect.any(Number) });
    const completed = worker.logged('job completed');
    expect(completed).toHaveLength(16);
    expect(completed.map((l) => l['imagePath']).sort()).toEqual(candidates.map((c) => c.imagePath).sort());
    const failed = worker.logged('job failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 'error', jobId: expect.any(String), promptId: expect.any(String), runId: broken.id, server: null, label: 'Broken' });
    expect(String(failed[0]['error'])).toContain('no-such-model.safetensors');
    expect(String(failed[0]['error'])).toContain('no server can run its workflow (preflight)');
    expect(worker.logged('ComfyUI reachable')).toHaveLength(1);
    expect(worker.logged('stopping: no new work is claimed; finishing the job being written')[0]).toMatchObject({ signal: 'SIGTERM' });
    // Errors and warnings go to stderr, the rest to stdout: the last stdout line is the last word.
    expect(parseLogLines(worker.output.stdout).at(-1)).toMatchObject({ message: 'worker stopped; jobs still in flight are picked up by the next start', signal: 'SIGTERM' });

    // Secrets never reach the output, in any form.
    const everything = worker.output.stdout + worker.output.stderr;
    expect(everything).not.toContain(AUTH_SECRET);
    expect(everything).not.toContain(DB_PASSWORD);
    expect(everything).not.toContain(encodeURIComponent(DB_PASSWORD));
    expect(logs.find((l) => l['message'] === 'database ready')?.['database']).toContain('***');
  }, 60_000);
});
