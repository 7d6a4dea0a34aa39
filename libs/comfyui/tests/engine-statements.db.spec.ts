import { describeEachDatabase, kilnEntities, kilnMigrations } from '@kiln/testing';
import { ComfyUiJob } from '../src/jobs/comfyui-job.entity';
import { claimDuePendingJobs, createPendingJob, getJob } from '../src/jobs/job-ledger';
import { countPendingJobs } from '../src/jobs/sql/count-pending-jobs';
import { findJobByPromptId } from '../src/jobs/sql/find-job-by-prompt-id';
import { releaseAllLeases } from '../src/jobs/sql/release-all-leases';
import { createRunFromYaml, tempDir, oneItemRunYaml as runYaml } from './support/engine-harness';

describeEachDatabase('job engine statements', kilnEntities, kilnMigrations, (getDataSource) => {
  async function newJobs(count: number): Promise<ComfyUiJob[]> {
    const manager = getDataSource().manager;
    const run = await createRunFromYaml(getDataSource(), runYaml, tempDir());
    const jobs = [];
    for (let i = 0; i < count; i++) {
      jobs.push(
        await createPendingJob(manager, {
          pipelineRunId: run.id,
          pipelineStepId: run.steps[0].id,
          parentCandidateId: null,
          slotIndex: i,
          payload: { workflow: {}, uploads: [], outputName: `${i}.png`, targetFolder: run.targetFolder, seed: i, label: `One #${i}`, timeoutSeconds: 30, overwrite: false, summary: {} },
        }),
      );
    }
    return jobs;
  }

  it('counts pending jobs of every run', async () => {
    const before = await countPendingJobs(getDataSource().manager);
    await newJobs(2);
    await newJobs(1);

    expect(await countPendingJobs(getDataSource().manager)).toBe(before + 3);
  });

  it('finds a job by its prompt id, and nothing for a prompt of another client', async () => {
    const [job] = await newJobs(1);

    expect(await findJobByPromptId(getDataSource().manager, job.promptId)).toMatchObject({ id: job.id, promptId: job.promptId, status: 'pending' });
    expect(await findJobByPromptId(getDataSource().manager, 'not-ours')).toBeUndefined();
  });

  it('releases every lease, live or expired, and changes nothing else', async () => {
    const manager = getDataSource().manager;
    const jobs = await newJobs(2);
    const runId = jobs[0].pipelineRunId;
    await claimDuePendingJobs(manager, 'killed-process', 2, 60_000, runId);

    await releaseAllLeases(manager);

    for (const job of jobs) {
      expect(await getJob(manager, job.id)).toMatchObject({ status: 'pending', leaseOwner: null, leaseExpiresAt: null });
    }
    expect(await claimDuePendingJobs(manager, 'new-process', 10, 60_000, runId)).toHaveLength(2);
  });
});
