import { isOpenJob, listRunJobs, type RunJob } from '@kiln/comfyui';
import { getPipelineRun, tallyRunCandidates, type CandidateTally, type PipelineRun, type PipelineStep } from '@kiln/pipeline';
import type { EntityManager } from 'typeorm';

/** How far one step of a run has come. */
export interface StepProgress {
  step: PipelineStep;
  /** Base images plus the children owed to its selected candidates. */
  wanted: number;
  made: number;
  inFlight: number;
  failed: number;
  selected: number;
  rejected: number;
  generations: number[];
}

export interface RunProgress {
  run: PipelineRun;
  steps: StepProgress[];
  jobs: RunJob[];
  /** Servers the run's jobs went to. */
  servers: string[];
}

/** A run with its steps' progress, from the pipeline's candidate counts and the job ledger. */
export async function loadRunProgress(manager: EntityManager, runId: string): Promise<RunProgress> {
  const run = await getPipelineRun(manager, runId);
  const [tally, jobs] = await Promise.all([tallyRunCandidates(manager, runId), listRunJobs(manager, runId)]);
  const steps = run.steps.map((step) => progressOf(step, tally.filter((t) => t.stepId === step.id), jobs.filter((j) => j.stepId === step.id)));
  const servers = [...new Set(jobs.map((j) => j.server).filter((s): s is string => !!s))].sort();
  return { run, steps, jobs, servers };
}

function progressOf(step: PipelineStep, tally: CandidateTally[], jobs: RunJob[]): StepProgress {
  const count = (status?: string) => tally.filter((t) => !status || t.status === status).reduce((sum, t) => sum + t.count, 0);
  const selected = count('selected');
  return {
    step,
    wanted: step.baseCount + step.childrenPerSelected * selected,
    made: count(),
    inFlight: jobs.filter(isOpenJob).length,
    failed: jobs.filter((j) => j.status === 'failed').length,
    selected,
    rejected: count('rejected'),
    generations: [...new Set(tally.map((t) => t.generation))].sort((a, b) => a - b),
  };
}
