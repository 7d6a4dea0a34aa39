import { listRunIdsOfKind } from '@kiln/pipeline';
import { openKilnTestDatabase, type TestDatabase } from '@kiln/testing';
import { createLogger } from 'winston';
import type { JobEngineEvent } from '../src';
import type { HistoryEntry } from '../src/client/types';
import { markPromptRunning } from '../src/commands/poll-job-status';
import type { JobCommandDeps } from '../src/commands/job-command-deps';
import { claimDuePendingJobs, createPendingJob, getJob, patchJob, readSubmitterSnapshot, transitionJob } from '../src/jobs/job-ledger';
import { createRunFromYaml, tempDir, oneItemRunYaml as runYaml } from './support/engine-harness';

describe.each(['postgres', 'pglite'] as const)('job ledger statements (%s)', (kind) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openKilnTestDatabase(kind);
  }, 60_000);

  afterAll(async () => {
    await db?.close();
  });

  async function newJobs(count: number) {
    const run = await createRunFromYaml(db.dataSource, runYaml, tempDir());
    const jobs = [];
    for (let i = 0; i < count; i++) {
      jobs.push(
        await createPendingJob(db.dataSource.manager, {
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

  it('claims due pending jobs of the run oldest first, up to the limit, and leases them', async () => {
    const { run, jobs } = await newJobs(4);
    await db.dataSource.query(`UPDATE comfyui_jobs SET next_attempt_at = now() + interval '1 hour' WHERE id = $1`, [jobs[0].id]);
    await db.dataSource.query(`UPDATE comfyui_jobs SET lease_owner = 'other', lease_expires_at = now() + interval '1 hour' WHERE id = $1`, [jobs[1].id]);
    await db.dataSource.query(`UPDATE comfyui_jobs SET lease_owner = 'dead', lease_expires_at = now() - interval '1 second' WHERE id = $1`, [jobs[2].id]);

    const claimed = await claimDuePendingJobs(db.dataSource.manager, 'me', 5, 60_000, run.id);
    const again = await claimDuePendingJobs(db.dataSource.manager, 'someone-else', 5, 60_000, run.id);

    expect(claimed.map((j) => j.id)).toEqual([jobs[2].id, jobs[3].id]);
    expect(claimed.every((j) => j.leaseOwner === 'me' && j.leaseExpiresAt !== null && j.leaseExpiresAt.getTime() > Date.now())).toBe(true);
    expect(again).toEqual([]);
  });

  it('stops at the limit and leaves other runs alone', async () => {
    const { run } = await newJobs(3);
    const other = await newJobs(1);

    const claimed = await claimDuePendingJobs(db.dataSource.manager, 'me', 2, 60_000, run.id);
    const pipelineRunIds = await listRunIdsOfKind(db.dataSource.manager, 'pipeline');
    const pipelineOnly = await claimDuePendingJobs(db.dataSource.manager, 'me', 10, 60_000, undefined, pipelineRunIds);

    expect(claimed.map((j) => j.slotIndex)).toEqual([0, 1]);
    expect(claimed.every((j) => j.pipelineRunId === run.id)).toBe(true);
    // Both runs are batches (items): a worker asking for pipeline runs gets none of them.
    expect(pipelineOnly.filter((j) => j.pipelineRunId === run.id || j.pipelineRunId === other.run.id)).toEqual([]);
  });

  it('marks the job of a started prompt running once, by prompt id, and reports it', async () => {
    const { jobs } = await newJobs(1);
    await db.dataSource.query(`UPDATE comfyui_jobs SET status = 'submitted', server = 'http://gpu-1' WHERE id = $1`, [jobs[0].id]);
    const events: JobEngineEvent[] = [];
    const deps = { dataSource: db.dataSource, logger: createLogger({ silent: true }), emit: (e: JobEngineEvent) => events.push(e) } as unknown as JobCommandDeps;

    const first = await markPromptRunning(jobs[0].promptId, deps);
    const second = await markPromptRunning(jobs[0].promptId, deps);
    const stranger = await markPromptRunning('not-ours', deps);

    const [row] = await db.dataSource.query(`SELECT status, started_at FROM comfyui_jobs WHERE id = $1`, [jobs[0].id]);
    expect([first, second, stranger]).toEqual([true, false, false]);
    expect(row.status).toBe('running');
    expect(row.started_at).not.toBeNull();
    expect(events).toEqual([{ type: 'job_running', jobId: jobs[0].id, runId: jobs[0].pipelineRunId, label: 'One #0', promptId: jobs[0].promptId, server: 'http://gpu-1' }]);
  });

  it('returns from createPendingJob exactly the row it inserted', async () => {
    const { jobs } = await newJobs(1);

    const stored = await getJob(db.dataSource.manager, jobs[0].id);

    expect({ ...jobs[0] }).toEqual({ ...stored });
    expect(stored.status).toBe('pending');
    expect(stored.promptId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('updates only while the job has the status the caller saw, storing JSON and dates as given', async () => {
    const { jobs } = await newJobs(1);
    const job = jobs[0];
    const stale = { ...job } as typeof job;
    const completedAt = new Date('2026-01-02T03:04:05.678Z');

    const moved = await transitionJob(db.dataSource.manager, job, 'submitted', { server: 'http://gpu-1', submittedAt: completedAt });
    const staleMove = await transitionJob(db.dataSource.manager, stale, 'failed', { errorMessage: 'late' });
    const history: HistoryEntry = { prompt: [0, job.promptId, {}, {}, ['9']], outputs: { '9': { images: [] } }, meta: { list: [1, 2] } };
    const patched = await patchJob(db.dataSource.manager, job, { resultMetadata: history, retryCount: 2 });
    const stalePatch = await patchJob(db.dataSource.manager, stale, { retryCount: 9 });

    const stored = await getJob(db.dataSource.manager, job.id);
    expect([Boolean(moved), staleMove, patched, stalePatch]).toEqual([true, undefined, true, false]);
    expect(stored).toMatchObject({ status: 'submitted', server: 'http://gpu-1', submittedAt: completedAt, retryCount: 2, errorMessage: null });
    expect(stored.resultMetadata).toEqual(history);
    expect(stored.updatedAt.getTime()).toBeGreaterThanOrEqual(job.createdAt.getTime());
  });

  it('reads the prompts in flight per server and whether a claim would find anything, in one statement', async () => {
    const { run, jobs } = await newJobs(4);
    await db.dataSource.query(`UPDATE comfyui_jobs SET status = 'submitted', server = 'http://gpu-a' WHERE id = ANY($1)`, [[jobs[0].id, jobs[1].id]]);
    await db.dataSource.query(`UPDATE comfyui_jobs SET status = 'running', server = 'http://gpu-b' WHERE id = $1`, [jobs[2].id]);
    await db.dataSource.query(`UPDATE comfyui_jobs SET lease_owner = 'other', lease_expires_at = now() + interval '1 hour' WHERE id = $1`, [jobs[3].id]);

    const leasedElsewhere = await readSubmitterSnapshot(db.dataSource.manager, 'me', run.id);
    const ownLease = await readSubmitterSnapshot(db.dataSource.manager, 'other', run.id);
    await db.dataSource.query(`UPDATE comfyui_jobs SET lease_owner = NULL, next_attempt_at = now() + interval '1 hour' WHERE id = $1`, [jobs[3].id]);
    const notYetDue = await readSubmitterSnapshot(db.dataSource.manager, 'me', run.id);
    await db.dataSource.query(`UPDATE comfyui_jobs SET next_attempt_at = now() - interval '1 second' WHERE id = $1`, [jobs[3].id]);
    const due = await readSubmitterSnapshot(db.dataSource.manager, 'me', run.id);
    const otherKind = await readSubmitterSnapshot(db.dataSource.manager, 'me', run.id, await listRunIdsOfKind(db.dataSource.manager, 'pipeline'));

    expect(leasedElsewhere.inFlightByServer.get('http://gpu-a')).toBeGreaterThanOrEqual(2);
    expect(leasedElsewhere.inFlightByServer.get('http://gpu-b')).toBeGreaterThanOrEqual(1);
    expect([leasedElsewhere.duePending, ownLease.duePending, notYetDue.duePending, due.duePending, otherKind.duePending]).toEqual([false, true, false, true, false]);
  });
});
