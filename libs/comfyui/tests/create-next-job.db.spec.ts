import { PipelineStep } from '@kiln/pipeline';
import { describeEachDatabase, kilnEntities, kilnMigrations } from '@kiln/testing';
import type { DataSource } from 'typeorm';
import { type JobEngineEvent } from '../src';
import { ComfyUiJob } from '../src/jobs/comfyui-job.entity';
import { createNextJob } from '../src/commands/create-next-job';
import type { JobCommandDeps } from '../src/commands/job-command-deps';
import { getJob } from '../src/jobs/job-ledger';
import { createRunFromYaml, tempDir, testLogger } from './support/engine-harness';

const runYaml = `
version: 1
output: { dir: out }
defaults: { checkpoint: a.safetensors, seed: 5, timeout: 120 }
items:
  - { name: One, prompt: a lighthouse, width: 64, count: 2 }
`;

const server = 'http://gpu-1';

describeEachDatabase('createNextJob', kilnEntities, kilnMigrations, (getDataSource) => {
  function deps(events: JobEngineEvent[] = []): JobCommandDeps {
    return {
      dataSource: getDataSource(),
      clientFor: () => {
        throw new Error('createNextJob talks to no server');
      },
      logger: testLogger,
      retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100 },
      workerId: 'worker-1',
      leaseMs: 60_000,
      emit: (event) => events.push(event),
    };
  }

  function jobsOfRun(runId: string): Promise<ComfyUiJob[]> {
    return getDataSource().getRepository(ComfyUiJob).findBy({ pipelineRunId: runId });
  }

  /** Runs `test` while every insert into the job table fails with a database error of its own. */
  async function withInsertsRefused(dataSource: DataSource, test: () => Promise<void>): Promise<void> {
    await dataSource.query(`CREATE FUNCTION refuse_job_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'job inserts refused by the test'; END $$`);
    await dataSource.query(`CREATE TRIGGER refuse_job_insert BEFORE INSERT ON comfyui_jobs FOR EACH ROW EXECUTE FUNCTION refuse_job_insert()`);
    try {
      await test();
    } finally {
      await dataSource.query(`DROP TRIGGER refuse_job_insert ON comfyui_jobs`);
      await dataSource.query(`DROP FUNCTION refuse_job_insert()`);
    }
  }

  it('inserts the next slot as a pending job, leased to this worker and recorded for its server', async () => {
    const run = await createRunFromYaml(getDataSource(), runYaml, tempDir());

    const result = await createNextJob(server, deps(), { runId: run.id, defaultTimeoutSeconds: 300 });

    expect(result.kind).toBe('created');
    const job = result.kind === 'created' ? result.job : undefined;
    expect(job).toMatchObject({ status: 'pending', server, leaseOwner: 'worker-1', slotIndex: 0, pipelineRunId: run.id });
    expect(job?.jobPayload).toMatchObject({
      label: 'One #1',
      timeoutSeconds: 120,
      targetFolder: run.targetFolder,
      summary: { step: run.steps[0].name, index: 0, prompt: 'a lighthouse', width: 64, checkpoint: 'a.safetensors' },
    });
    expect(await getJob(getDataSource().manager, job?.id as string)).toMatchObject({ status: 'pending', promptId: job?.promptId });
  });

  it('answers no_work once every slot of the run has its job', async () => {
    const run = await createRunFromYaml(getDataSource(), runYaml, tempDir());

    const kinds = [];
    for (let i = 0; i < 3; i++) kinds.push((await createNextJob(server, deps(), { runId: run.id, defaultTimeoutSeconds: 300 })).kind);

    expect(kinds).toEqual(['created', 'created', 'no_work']);
  });

  it('fails the slot of a step whose workflow cannot be built, visibly, and holds the slot', async () => {
    const run = await createRunFromYaml(getDataSource(), runYaml, tempDir());
    await getDataSource().getRepository(PipelineStep).update({ id: run.steps[0].id }, { workflow: {} });
    const events: JobEngineEvent[] = [];

    const result = await createNextJob(server, deps(events), { runId: run.id, defaultTimeoutSeconds: 300 });

    expect(result.kind).toBe('unbuildable');
    if (result.kind !== 'unbuildable') return;
    expect(result.message).toMatch(/^One #1: cannot build its workflow: .*no usable workflow/);
    expect(await getJob(getDataSource().manager, result.job.id)).toMatchObject({ status: 'failed', errorMessage: result.message, leaseOwner: null, server: null });
    expect(events).toEqual([
      { type: 'job_failed', jobId: result.job.id, runId: run.id, label: 'One #1', promptId: result.job.promptId, server: null, error: result.message },
    ]);
    // The failed job holds its slot until a person retries it: the next call takes the other one.
    const next = await createNextJob(server, deps(), { runId: run.id, defaultTimeoutSeconds: 300 });
    expect(next.kind === 'unbuildable' && next.job.slotIndex).toBe(1);
  });

  it('hands a failed insert to the caller as the database reported it, and records nothing', async () => {
    const run = await createRunFromYaml(getDataSource(), runYaml, tempDir());

    await withInsertsRefused(getDataSource(), async () => {
      const attempt = createNextJob(server, deps(), { runId: run.id, defaultTimeoutSeconds: 300 });
      await expect(attempt).rejects.toThrow('job inserts refused by the test');
      await expect(attempt).rejects.not.toThrow(/transaction is aborted/);
    });

    expect(await jobsOfRun(run.id)).toEqual([]);
  });

  it('hands a failed insert of an unbuildable step to the caller too, and emits nothing', async () => {
    const run = await createRunFromYaml(getDataSource(), runYaml, tempDir());
    await getDataSource().getRepository(PipelineStep).update({ id: run.steps[0].id }, { workflow: {} });
    const events: JobEngineEvent[] = [];

    await withInsertsRefused(getDataSource(), async () => {
      await expect(createNextJob(server, deps(events), { runId: run.id, defaultTimeoutSeconds: 300 })).rejects.toThrow('job inserts refused by the test');
    });

    expect(events).toEqual([]);
    expect(await jobsOfRun(run.id)).toEqual([]);
  });
});
