// Public API of @kiln/job-orchestration: job specs, seeds, output names, job selection and payloads.
export { parseJobSpec, loadJobSpecFile } from './spec/parse-job-spec';
export type { ParseJobSpecResult } from './spec/parse-job-spec';
export { outputDirProblem } from './spec/output-dir-check';

export type { ResolvedJobSpec, ResolvedStep } from './spec/resolved-job-spec';
export { readStepParams } from './spec/read-step-params';
export { jobSpecToPipelineRunInput } from './spec/job-spec-to-pipeline-run';


export { deriveSeed, MAX_SEED } from './seeds/derive-seed';
export { slugify } from './naming/slugify';
export { deterministicOutputName } from './naming/output-name';
export { jobOutputNames } from './workflow/output-nodes';

export type { ApiWorkflow } from './workflow/api-workflow';
export type { NodeInfo, ObjectInfo } from './workflow/object-info';
export { buildJobPayload } from './build-job-payload/build-job-payload';

export { selectNextJob } from './select-next-job/select-next-job';
export type { SelectNextJobResult } from './select-next-job/select-next-job';
export type { JobSlotsPort } from './select-next-job/job-slots.port';

