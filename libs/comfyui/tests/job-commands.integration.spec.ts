import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageCandidate, recordCandidate } from '@kiln/pipeline';
import { openKilnTestDatabase, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import { createLogger } from 'winston';
import { ComfyUiClient } from '../src';
import { ComfyUiJob, type ComfyUiJobPayload } from '../src/jobs/comfyui-job.entity';
import { createPendingJob } from '../src/jobs/job-ledger';
import { pollJobStatus } from '../src/commands/poll-job-status';
import { processJobResult } from '../src/commands/process-job-result';
import { submitJob } from '../src/commands/submit-job';
import { type JobCommandDeps } from '../src/commands/job-command-deps';
import { createRunFromYaml, startEmulatorForTest, tempDir } from './support/engine-harness';

const runYaml = `
version: 1
output: { dir: out }
defaults: { checkpoint: v1-5-pruned-emaonly.safetensors, width: 64, height: 64, steps: 2, seed: 5 }
items:
  - { name: Solo, prompt: a lone tree }
`;

/** txt2img on the emulator; `ckpt` lets a test make ComfyUI reject it. */
function workflow(ckpt = 'v1-5-pruned-emaonly.safetensors', seed = 1): ComfyUiJobPayload['workflow'] {
  return {
    '3': { class_type: 'KSampler', inputs: { seed, steps: 2, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ckpt } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lone tree', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'kiln/commands', images: ['8', 0] } },
  };
}

describe('SubmitJob, PollJobStatus and ProcessJobResult, one by one (PostgreSQL + emulator)', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;
  let deps: JobCommandDeps;

  beforeAll(async () => {
    db = await openKilnTestDatabase('postgres');
    emulator = await startEmulatorForTest({ promptDurationMs: 200 });
    const client = new ComfyUiClient({ baseUrl: emulator.url, retry: { retries: 0 } });
    deps = {
      dataSource: db.dataSource,
      clientFor: () => client,
      logger: createLogger({ silent: true }),
      retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 20 },
      workerId: 'test-worker',
      leaseMs: 60_000,
    };
  }, 60_000);

  afterAll(async () => {
    await emulator?.close();
    await db?.close();
  });

  let seed = 100;
  // A new seed per job: the emulator, like ComfyUI, answers an identical prompt from its cache.
  async function newJob(overrides: Partial<ComfyUiJobPayload> = {}) {
    seed++;
    const dir = tempDir();
    const run = await createRunFromYaml(db.dataSource, runYaml, dir);
    const job = await createPendingJob(db.dataSource.manager, {
      pipelineRunId: run.id,
      pipelineStepId: run.steps[0].id,
      parentCandidateId: null,
      slotIndex: 0,
      payload: { workflow: workflow(undefined, seed), uploads: [], outputName: 'solo.png', targetFolder: run.targetFolder, seed, label: 'Solo', timeoutSeconds: 30, overwrite: false, summary: { prompt: 'a lone tree' }, ...overrides },
    });
    return { job, run, dir };
  }

  async function waitFor(job: ComfyUiJob, state: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if ((await deps.clientFor(emulator.url).getPromptStatus(job.promptId)).state === state) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`prompt never reached ${state}`);
  }

  it('SubmitJob posts a pending job under its own prompt id and returns it submitted', async () => {
    const { job } = await newJob();
    expect(job.status).toBe('pending');

    const result = await submitJob(job, emulator.url, deps);

    const row = await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: job.id });
    expect(result.outcome).toBe('submitted');
    expect(row).toMatchObject({ status: 'submitted', server: emulator.url, retryCount: 0, promptId: job.promptId });
    expect(row.submittedAt).toBeInstanceOf(Date);
    expect((await deps.clientFor(emulator.url).getPromptStatus(job.promptId)).state).not.toBe('unknown');
  });

  it('SubmitJob does not post again a prompt that an earlier process posted just before it died', async () => {
    const { job } = await newJob();
    // What a worker killed right after its POST leaves behind: the server written, the job still pending.
    await db.dataSource.query(`UPDATE comfyui_jobs SET server = $1 WHERE id = $2`, [emulator.url, job.id]);
    await deps.clientFor(emulator.url).submitPrompt(job.jobPayload.workflow, { promptId: job.promptId });
    const accepted = emulator.stats().promptsAccepted;
    const reread = await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: job.id });

    const result = await submitJob(reread, emulator.url, deps);

    expect(result).toMatchObject({ outcome: 'submitted', alreadyOnServer: true });
    expect(emulator.stats().promptsAccepted).toBe(accepted);
  });

  it('SubmitJob fails a workflow ComfyUI rejects, with the node error in words, and never retries it', async () => {
    const { job } = await newJob({ workflow: workflow('missing.safetensors', 7) });

    const result = await submitJob(job, emulator.url, deps);

    const row = await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: job.id });
    expect(result.outcome).toBe('failed');
    expect(row.status).toBe('failed');
    expect(row.retryCount).toBe(0);
    expect(row.errorMessage).toMatch(/^Solo: ComfyUI rejected the workflow[\s\S]*node 4 \(CheckpointLoaderSimple\) input ckpt_name: 'missing\.safetensors' is not one of/);
  });

  it('PollJobStatus reports running without processing, then completed with the history kept and needs_processing', async () => {
    const { job } = await newJob();
    await submitJob(job, emulator.url, deps);
    await waitFor(job, 'running');

    const running = await pollJobStatus(job, deps);
    await waitFor(job, 'completed');
    const completed = await pollJobStatus(running.job, deps);

    const row = await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: job.id });
    expect(running).toMatchObject({ state: 'running', needsProcessing: false });
    expect(completed).toMatchObject({ state: 'completed', needsProcessing: true });
    expect(row.status).toBe('completed');
    expect(row.startedAt).toBeInstanceOf(Date);
    expect(row.completedAt).toBeInstanceOf(Date);
    expect((row.resultMetadata as { status: { status_str: string } }).status.status_str).toBe('success');
  });

  it('PollJobStatus sends a prompt the server lost back to pending with retry_count + 1', async () => {
    const { job } = await newJob();
    await submitJob(job, emulator.url, deps);
    await emulator.restart();

    const polled = await pollJobStatus(job, deps);

    const row = await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: job.id });
    expect(polled).toMatchObject({ state: 'unknown', needsProcessing: false });
    expect(row).toMatchObject({ status: 'pending', retryCount: 1 });
    expect(row.errorMessage).toMatch(/was lost by/);
  });

  it('ProcessJobResult writes the image and sidecar, records the candidate, and is a no-op the second time', async () => {
    const { job, dir } = await newJob();
    await submitJob(job, emulator.url, deps);
    await waitFor(job, 'completed');
    const polled = await pollJobStatus(job, deps);

    // Another path (e.g. the poller) reading the job meanwhile finds the lease the completing update took.
    const meanwhile = await processJobResult(await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: job.id }), deps);
    const first = await processJobResult(polled.job, deps, { leaseHeld: polled.leaseHeld });
    const again = await processJobResult(await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: job.id }), deps);

    const candidates = await db.dataSource.getRepository(ImageCandidate).findBy({ runId: job.pipelineRunId });
    expect(polled.leaseHeld).toBe(true);
    expect(meanwhile.outcome).toBe('skipped');
    expect(first.outcome).toBe('recorded');
    expect(again.outcome).toBe('skipped');
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ imagePath: join(dir, 'out', 'solo.png'), seed, index: 0 });
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['kiln-workflows', 'solo.json', 'solo.png']);
    // The sidecar names the workflow the server ran, stored once beside the images.
    const sidecar = JSON.parse(readFileSync(join(dir, 'out', 'solo.json'), 'utf8'));
    const stored = readFileSync(join(dir, 'out', sidecar.workflow.file));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(sidecar.workflow.sha256);
    expect(JSON.parse(stored.toString('utf8'))).toEqual(job.jobPayload.workflow);
    expect(sidecar.output).toEqual({ nodeId: expect.any(String), batchIndex: 0, batchSize: 1 });
  });

  it('ProcessJobResult after a crash between the file and the commit finishes without a second file or candidate', async () => {
    const { job, dir } = await newJob();
    await submitJob(job, emulator.url, deps);
    await waitFor(job, 'completed');
    const polled = await pollJobStatus(job, deps);
    // The crash: the image reached disk, the transaction never ran.
    await processJobResult(polled.job, deps, { leaseHeld: polled.leaseHeld });
    await db.dataSource.query(`DELETE FROM image_candidates WHERE run_id = $1`, [job.pipelineRunId]);
    await db.dataSource.query(`UPDATE comfyui_jobs SET processed_at = NULL, candidate_id = NULL WHERE id = $1`, [job.id]);

    const redo = await processJobResult(await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: job.id }), deps);

    expect(redo.outcome).toBe('recorded');
    expect(await db.dataSource.getRepository(ImageCandidate).countBy({ runId: job.pipelineRunId })).toBe(1);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['kiln-workflows', 'solo.json', 'solo.png']);
  });

  it('ProcessJobResult after a crash between the candidate and the mark keeps the one candidate', async () => {
    const { job } = await newJob();
    await submitJob(job, emulator.url, deps);
    await waitFor(job, 'completed');
    const polled = await pollJobStatus(job, deps);
    const first = await processJobResult(polled.job, deps, { leaseHeld: polled.leaseHeld });
    // The crash: the candidate was recorded, the job never marked processed.
    await db.dataSource.query(`UPDATE comfyui_jobs SET processed_at = NULL, candidate_id = NULL WHERE id = $1`, [job.id]);

    const redo = await processJobResult(await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: job.id }), deps);

    const row = await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: job.id });
    expect(redo.outcome === 'recorded' && first.outcome === 'recorded' && redo.candidateId === first.candidateId).toBe(true);
    expect(row.candidateId).toBe(redo.outcome === 'recorded' ? redo.candidateId : 'none');
    expect(row.processedAt).toBeInstanceOf(Date);
    expect(await db.dataSource.getRepository(ImageCandidate).countBy({ runId: job.pipelineRunId })).toBe(1);
  });

  it('ProcessJobResult fails a result without an image, and refuses to replace a foreign file', async () => {
    const { job } = await newJob();
    await submitJob(job, emulator.url, deps);
    await waitFor(job, 'completed');
    const polled = await pollJobStatus(job, deps);
    await db.dataSource.query(`UPDATE comfyui_jobs SET result_metadata = jsonb_set(result_metadata, '{outputs}', '{}'::jsonb) WHERE id = $1`, [job.id]);

    const noImage = await processJobResult(await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: polled.job.id }), deps, { leaseHeld: polled.leaseHeld });

    expect(noImage.outcome).toBe('failed');
    expect(noImage.outcome === 'failed' && noImage.error).toMatch(/^Solo: ComfyUI finished prompt .* but reported no image$/);

    const second = await newJob();
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(second.dir, 'out'), { recursive: true });
    writeFileSync(join(second.dir, 'out', 'solo.png'), 'not ours');
    await submitJob(second.job, emulator.url, deps);
    await waitFor(second.job, 'completed');
    const p2 = await pollJobStatus(second.job, deps);
    const refused = await processJobResult(p2.job, deps, { leaseHeld: p2.leaseHeld });
    expect(refused.outcome === 'failed' && refused.error).toMatch(/already exists and was not made by this job; pass --overwrite/);
  });

  it('recordCandidate stays the single place that raises child_count (parent link through a job)', async () => {
    const { job, run } = await newJob();
    const { candidate: parent } = await recordCandidate(db.dataSource.manager, { stepId: run.steps[0].id, index: 5, imagePath: '/x.png', seed: 1 });
    await db.dataSource.query(`UPDATE comfyui_jobs SET parent_candidate_id = $1, slot_index = 0 WHERE id = $2`, [parent.id, job.id]);
    const child = await db.dataSource.getRepository(ComfyUiJob).findOneByOrFail({ id: job.id });
    await submitJob(child, emulator.url, deps);
    await waitFor(child, 'completed');
    const polled = await pollJobStatus(child, deps);

    await processJobResult(polled.job, deps, { leaseHeld: polled.leaseHeld });

    expect((await db.dataSource.getRepository(ImageCandidate).findOneByOrFail({ id: parent.id })).childCount).toBe(1);
  });
});
