import type { EntityManager } from 'typeorm';
import { PipelineRun, type PipelineRunKind } from '../entities/pipeline-run.entity';
import { PipelineStep, type StepNaming } from '../entities/pipeline-step.entity';
import { PipelineError } from '../errors';
import { inTransaction } from './in-transaction';

/** @internal exported for its spec */
export interface CreatePipelineStepInput {
  name: string;
  workflow: unknown;
  params?: Record<string, unknown>;
  baseCount: number;
  childrenPerSelected?: number;
  naming?: StepNaming;
  overwrite?: boolean;
}

export interface CreatePipelineRunInput {
  name: string;
  kind: PipelineRunKind;
  targetFolder: string;
  baseSeed?: number | null;
  spec?: Record<string, unknown>;
  steps: CreatePipelineStepInput[];
}

/** Creates a run and its steps together: a run without its steps never exists. */
export async function createPipelineRun(
  manager: EntityManager,
  input: CreatePipelineRunInput,
): Promise<PipelineRun & { steps: PipelineStep[] }> {
  assertValidRunInput(input);
  return inTransaction(manager, async (tx) => {
    const run = await tx.getRepository(PipelineRun).save(
      tx.getRepository(PipelineRun).create({
        name: input.name,
        kind: input.kind,
        status: 'active',
        targetFolder: input.targetFolder,
        baseSeed: input.baseSeed ?? null,
        spec: input.spec ?? {},
      }),
    );
    const steps = await tx.getRepository(PipelineStep).save(
      input.steps.map((step, position) =>
        tx.getRepository(PipelineStep).create({
          runId: run.id,
          name: step.name,
          position,
          workflow: step.workflow,
          params: step.params ?? {},
          baseCount: step.baseCount,
          childrenPerSelected: step.childrenPerSelected ?? 0,
          naming: step.naming ?? 'deterministic',
          overwrite: step.overwrite ?? false,
        }),
      ),
    );
    return Object.assign(run, { steps });
  });
}

function assertValidRunInput(input: CreatePipelineRunInput): void {
  const problems: string[] = [];
  if (!input.name.trim()) problems.push('name: must not be empty');
  if (!input.targetFolder.trim()) problems.push('targetFolder: must not be empty');
  if (input.steps.length === 0) problems.push('steps: a run needs at least one step');
  const seen = new Set<string>();
  input.steps.forEach((step, i) => {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(step.name)) {
      problems.push(`steps[${i}].name: '${step.name}' must be a slug (a-z, 0-9, -)`);
    }
    if (seen.has(step.name)) problems.push(`steps[${i}].name: '${step.name}' is used by another step`);
    seen.add(step.name);
    if (!Number.isInteger(step.baseCount) || step.baseCount < 0) {
      problems.push(`steps[${i}].baseCount: ${step.baseCount} must be an integer ≥ 0`);
    }
    const children = step.childrenPerSelected ?? 0;
    if (!Number.isInteger(children) || children < 0) {
      problems.push(`steps[${i}].childrenPerSelected: ${children} must be an integer ≥ 0`);
    }
  });
  if (problems.length) {
    throw new PipelineError('PIPELINE_INVALID_INPUT', `invalid pipeline run: ${problems.join('; ')}`);
  }
}
