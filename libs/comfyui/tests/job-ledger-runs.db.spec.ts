import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describeEachDatabase, kilnEntities, kilnMigrations } from '@kiln/testing';
import type { DataSource } from 'typeorm';
import { prepareRunForResume } from '../src/commands/prepare-run-for-resume';
import { retryFailedJobs } from '../src/commands/retry-failed-jobs';
import type { ComfyUiJob, ComfyUiJobStatus } from '../src/jobs/comfyui-job.entity';
import { releaseDeadLeases } from '../src/jobs/dead-leases';
import { createPendingJob, getJob } from '../src/jobs/job-ledger';
import { DONE_JOB_SQL, IN_FLIGHT_JOB_SQL, isDoneJob, isOpenJob, OPEN_JOB_SQL, SLOT_HOLDING_JOB_SQL } from '../src/jobs/job-status-sets';
import { countJobsByRun, listFailedJobs, listRunJobs, resolveJobIdPrefix } from '../src/jobs/run-jobs';
import { requeueJobsOnOtherServers } from '../src/jobs/status-moves';
import { createRunFromYaml, tempDir, oneItemRunYaml as runYaml } from './support/engine-harness';

/** A pid that was just in use and is gone now. */
const deadPid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());

/** Every status a job can be in, completed twice (image home or not). */
const shapes: Array<{ status: ComfyUiJobStatus; processed: boolean }> = [
  { status: 'pending', processed: false },
  { status: 'submitted', processed: false },
  { status: 'running', processed: false },
  { status: 'completed', processed: false },
  { status: 'completed', processed: true },
  { status: 'failed', processed: false },
];

describeEachDatabase('job ledger, per run', kilnEntities, kilnMigrations, (db) => {
  async function newJobs(count: number) {
    const run = await createRunFromYaml(db(), runYaml, tempDir());
    const jobs: ComfyUiJob[] = [];
    for (let i = 0; i < count; i++) {
      jobs.push(
        await createPendingJob(db().manager, {
          pipelineRunId: run.id,
          pipelineStepId: run.steps[0].id,
          parentCandidateId: null,
          slotIndex: i,
          payload: { workflow: {}, uploads: [], outputName: `${i}.png`, targetFolder: run.targetFolder, seed: i, label: `One #${i}`, timeoutSeconds: 30, overwrite: false, summary: {} },
        }),
      );
    }
    return { run, jobs };
  }

  /** Puts a job in a shape directly: these tests are about reading and bulk statements, not the lifecycle. */
  function setRow(dataSource: DataSource, id: string, sets: string, params: unknown[] = []): Promise<unknown> {
    return dataSource.query(`UPDATE comfyui_jobs SET ${sets} WHERE id = $1`, [id, ...params]);
  }

  async function jobsInEveryShape() {
    const { run, jobs } = await newJobs(shapes.length);
    for (const [i, shape] of shapes.entries()) {
      // Creation times a second apart: inserts in one millisecond would tie, and ties have no order.
      await setRow(db(), jobs[i].id, `status = $2, processed_at = $3, error_message = $4, created_at = $5`, [
        shape.status,
        shape.processed ? new Date() : null,
        shape.status === 'failed' ? 'boom' : null,
        new Date(Date.now() - (shapes.length - i) * 1000),
      ]);
    }
    return { run, jobs };
  }

  it('releases the leases of dead owners of this host, host names with colons included, and keeps live ones', async () => {
    const { jobs } = await newJobs(4);
    const host = 'fe80::1';
    const owners = [`${host}:${deadPid}:dead0001`, `${host}:${process.pid}:self0001`, `${host}:${process.ppid}:live0001`, `fe80::2:${deadPid}:else0001`];
    for (const [i, owner] of owners.entries()) await setRow(db(), jobs[i].id, `lease_owner = $2, lease_expires_at = now() + interval '1 hour'`, [owner]);

    const released = await releaseDeadLeases(db().manager, { host });

    const leases = await Promise.all(jobs.map(async (job) => (await getJob(db().manager, job.id)).leaseOwner));
    expect(released).toBe(1);
    expect(leases).toEqual([null, owners[1], owners[2], owners[3]]);
  });

  it('releases dead leases of one run only when asked for that run', async () => {
    const mine = await newJobs(1);
    const other = await newJobs(1);
    const dead = `${hostname()}:${deadPid}:dead0002`;
    await setRow(db(), mine.jobs[0].id, `lease_owner = $2, lease_expires_at = now() + interval '1 hour'`, [dead]);
    await setRow(db(), other.jobs[0].id, `lease_owner = $2, lease_expires_at = now() + interval '1 hour'`, [dead]);

    const released = await releaseDeadLeases(db().manager, { runId: mine.run.id });

    expect(released).toBe(1);
    expect((await getJob(db().manager, mine.jobs[0].id)).leaseOwner).toBeNull();
    expect((await getJob(db().manager, other.jobs[0].id)).leaseOwner).toBe(dead);
  });

  it('counts open, done and failed jobs per run', async () => {
    const { run } = await jobsInEveryShape();
    const other = await newJobs(2);

    const one = await countJobsByRun(db().manager, run.id);
    const all = await countJobsByRun(db().manager);

    expect([...one.entries()]).toEqual([[run.id, { open: 4, done: 1, failed: 1 }]]);
    expect(all.get(run.id)).toEqual({ open: 4, done: 1, failed: 1 });
    expect(all.get(other.run.id)).toEqual({ open: 2, done: 0, failed: 0 });
  });

  it('means the same jobs by open, done, in flight and slot-holding in SQL and in code', async () => {
    const { run } = await jobsInEveryShape();

    const rows: Array<{ id: string; open: boolean; done: boolean; in_flight: boolean; holds_slot: boolean }> = await db().query(
      `SELECT id, ${OPEN_JOB_SQL} AS open, ${DONE_JOB_SQL} AS done, ${IN_FLIGHT_JOB_SQL} AS in_flight, ${SLOT_HOLDING_JOB_SQL} AS holds_slot
         FROM comfyui_jobs WHERE pipeline_run_id = $1`,
      [run.id],
    );
    const jobs = await listRunJobs(db().manager, run.id);

    for (const job of jobs) {
      const row = rows.find((r) => r.id === job.id);
      expect({ status: job.status, processed: job.processed, open: row?.open, done: row?.done, inFlight: row?.in_flight, holdsSlot: row?.holds_slot }).toEqual({
        status: job.status,
        processed: job.processed,
        open: isOpenJob(job),
        done: isDoneJob(job),
        inFlight: job.status === 'submitted' || job.status === 'running',
        holdsSlot: isOpenJob(job) || job.status === 'failed',
      });
    }
    expect(jobs.filter(isOpenJob).map((j) => j.status)).toEqual(['pending', 'submitted', 'running', 'completed']);
  });

  it('builds the partial indexes of the migrations on the same predicates', async () => {
    const predicate = async (index: string): Promise<string> => {
      const [row] = await db().query(`SELECT pg_get_expr(i.indpred, i.indrelid) AS predicate FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1`, [index]);
      return row.predicate;
    };
    await db().query(`CREATE INDEX scratch_open ON comfyui_jobs (id) WHERE ${OPEN_JOB_SQL}`);
    await db().query(`CREATE INDEX scratch_slots ON comfyui_jobs (id) WHERE ${SLOT_HOLDING_JOB_SQL}`);

    try {
      expect(await predicate('comfyui_jobs_open')).toBe(await predicate('scratch_open'));
      expect(await predicate('comfyui_jobs_open_slots')).toBe(await predicate('scratch_slots'));
    } finally {
      await db().query(`DROP INDEX scratch_open`);
      await db().query(`DROP INDEX scratch_slots`);
    }
  });

  it('lists a run’s jobs oldest first, and its failed ones with their errors', async () => {
    const { run, jobs } = await jobsInEveryShape();

    const listed = await listRunJobs(db().manager, run.id);
    const failed = await listFailedJobs(db().manager, run.id);

    expect(listed.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    expect(listed[0]).toEqual({ id: jobs[0].id, stepId: run.steps[0].id, status: 'pending', processed: false, label: 'One #0', errorMessage: null, server: null });
    expect(failed).toEqual([{ id: jobs[5].id, stepId: run.steps[0].id, status: 'failed', processed: false, label: 'One #5', errorMessage: 'boom', server: null }]);
  });

  it('resolves a job id or unique prefix, and names nothing for another table’s id', async () => {
    const { run, jobs } = await newJobs(17);
    const id = jobs[0].id;
    const firstDigits = jobs.map((j) => j.id[0]);
    const shared = firstDigits.find((digit, i) => firstDigits.indexOf(digit) !== i) as string;

    const ambiguous = await resolveJobIdPrefix(db().manager, shared);

    expect(await resolveJobIdPrefix(db().manager, id)).toEqual({ kind: 'found', id });
    expect(await resolveJobIdPrefix(db().manager, id.slice(0, 30).toUpperCase())).toEqual({ kind: 'found', id });
    expect(await resolveJobIdPrefix(db().manager, run.id)).toEqual({ kind: 'not_found' });
    expect(ambiguous.kind).toBe('ambiguous');
    const candidates = ambiguous.kind === 'ambiguous' ? ambiguous.candidates : [];
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    expect(candidates.length).toBeLessThanOrEqual(5);
    expect(candidates.every((c) => c.startsWith(shared))).toBe(true);
  });

  it('queues again, under a new prompt id, prompts in flight on a server outside the pool', async () => {
    const { run, jobs } = await newJobs(4);
    await setRow(db(), jobs[0].id, `status = 'submitted', server = 'http://old:8188', submitted_at = now(), lease_owner = 'x', lease_expires_at = now()`);
    await setRow(db(), jobs[1].id, `status = 'running', server = 'http://gpu-1:8188', submitted_at = now(), started_at = now()`);
    await setRow(db(), jobs[2].id, `status = 'running', server = 'http://old:8188/', submitted_at = now(), started_at = now()`);

    const requeued = await requeueJobsOnOtherServers(db().manager, run.id, ['http://gpu-1:8188/']);

    const after = await Promise.all(jobs.map((job) => getJob(db().manager, job.id)));
    expect(requeued).toBe(2);
    expect(after.map((j) => j.status)).toEqual(['pending', 'running', 'pending', 'pending']);
    for (const i of [0, 2]) {
      expect(after[i]).toMatchObject({ server: null, submittedAt: null, startedAt: null, leaseOwner: null, leaseExpiresAt: null });
      expect(after[i].promptId).not.toBe(jobs[i].promptId);
    }
    expect(after[1].promptId).toBe(jobs[1].promptId);
    expect(after[3].promptId).toBe(jobs[3].promptId);
  });

  it('retries a failed job under a new prompt id in its failed → pending move, and re-downloads one whose image was made', async () => {
    const { jobs } = await newJobs(2);
    const madeImage = {
      prompt: [0, jobs[1].promptId, {}, {}, ['9']],
      outputs: { '9': { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] } },
      status: { status_str: 'success', completed: true, messages: [] },
    };
    await setRow(db(), jobs[0].id, `status = 'failed', server = 'http://gpu-1', error_message = 'boom', retry_count = 3`);
    await setRow(db(), jobs[1].id, `status = 'failed', server = 'http://gpu-1', error_message = 'download failed', result_metadata = $2`, [JSON.stringify(madeImage)]);

    const results = await retryFailedJobs(db().manager, [jobs[0].id, jobs[1].id]);

    const [resubmitted, reprocessed] = await Promise.all(jobs.map((job) => getJob(db().manager, job.id)));
    expect(results.map((r) => [r.jobId, r.action])).toEqual([
      [jobs[0].id, 'resubmit'],
      [jobs[1].id, 'reprocess'],
    ]);
    expect(resubmitted).toMatchObject({ status: 'pending', server: null, retryCount: 0, errorMessage: null });
    expect(resubmitted.promptId).toMatch(/^[0-9a-f-]{36}$/);
    expect(resubmitted.promptId).not.toBe(jobs[0].promptId);
    expect(reprocessed).toMatchObject({ status: 'completed', promptId: jobs[1].promptId, errorMessage: null });
  });

  it('prepares an interrupted run: releases dead local leases, requeues prompts off the pool, retries failed jobs', async () => {
    const { run, jobs } = await newJobs(3);
    await setRow(db(), jobs[0].id, `lease_owner = $2, lease_expires_at = now() + interval '1 hour'`, [`${hostname()}:${deadPid}:dead0003`]);
    await setRow(db(), jobs[1].id, `status = 'submitted', server = 'http://old:8188', submitted_at = now()`);
    await setRow(db(), jobs[2].id, `status = 'failed', error_message = 'boom'`);

    const result = await prepareRunForResume(db(), run.id, ['http://gpu-1:8188']);

    const after = await Promise.all(jobs.map((job) => getJob(db().manager, job.id)));
    expect(result).toEqual({ retried: 1, requeued: 1, releasedLeases: 1 });
    expect(after.map((j) => [j.status, j.leaseOwner])).toEqual([
      ['pending', null],
      ['pending', null],
      ['pending', null],
    ]);
  });

  it('prepares a failed run: fetches again an image made on a server of the pool (rows name it without its password), queues again one made elsewhere, and makes the run active', async () => {
    const { run, jobs } = await newJobs(3);
    const madeImage = JSON.stringify({
      outputs: { '9': { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] } },
      status: { status_str: 'success', completed: true, messages: [] },
    });
    await db().query(`UPDATE pipeline_runs SET status = 'failed' WHERE id = $1`, [run.id]);
    await setRow(db(), jobs[0].id, `status = 'failed', server = 'http://kiln:***@gpu-1:8188', error_message = 'disk full', result_metadata = $2`, [madeImage]);
    await setRow(db(), jobs[1].id, `status = 'failed', server = 'http://old:8188', error_message = 'disk full', result_metadata = $2`, [madeImage]);
    await setRow(db(), jobs[2].id, `status = 'running', server = 'http://kiln:***@gpu-1:8188', submitted_at = now(), started_at = now()`);

    const result = await prepareRunForResume(db(), run.id, ['http://kiln:secret@gpu-1:8188/']);

    const after = await Promise.all(jobs.map((job) => getJob(db().manager, job.id)));
    const [{ status }] = await db().query(`SELECT status FROM pipeline_runs WHERE id = $1`, [run.id]);
    expect(result).toEqual({ retried: 2, requeued: 0, releasedLeases: 0 });
    expect(after.map((j) => [j.status, j.server])).toEqual([
      ['completed', 'http://kiln:***@gpu-1:8188'],
      ['pending', null],
      ['running', 'http://kiln:***@gpu-1:8188'],
    ]);
    expect(after[2].promptId).toBe(jobs[2].promptId);
    expect(status).toBe('active');
  });
});
