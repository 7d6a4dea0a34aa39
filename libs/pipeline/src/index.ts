export { PipelineRun } from './entities/pipeline-run.entity';

export { PipelineStep } from './entities/pipeline-step.entity';

export { ImageCandidate } from './entities/image-candidate.entity';

export { pipelineEntities, pipelineMigrations } from './entities';

export { createPipelineRun } from './commands/create-pipeline-run';
export type { CreatePipelineRunInput } from './commands/create-pipeline-run';
export { recordCandidate } from './commands/record-candidate';

export { selectCandidates, rejectCandidates, resetCandidates } from './commands/set-candidate-status';

export { listRunCandidates } from './queries/list-candidates';
export { candidateChangeStamp, findCandidate, listCandidateChildren, listRunCandidatesPage, tallyRunCandidates } from './queries/gallery-candidates';
export type { CandidateTally } from './queries/gallery-candidates';

export { countCandidatesByRun } from './queries/count-candidates';
export { matchIdPrefix } from './queries/id-prefix';
export type { IdPrefixMatch } from './queries/id-prefix';
export { resolveCandidateIdPrefix, resolveRunIdPrefix } from './queries/resolve-id-prefix';
export { getPipelineRun, listPipelineRuns, listRunIdsOfKind, setPipelineRunStatus } from './queries/runs';
export { lockNextStepWithFreeSlot } from './queries/lock-next-step-with-free-slot';
export { listActiveStepIds } from './queries/active-step-ids';
export { firstFreeSlot } from './queries/first-free-slot';
export type { FreeSlot } from './queries/first-free-slot';
export type { TakenSlot } from './queries/taken-slots';
