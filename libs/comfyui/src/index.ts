// ComfyUI client
export { ComfyUiClient } from './client/comfyui-client';

// Preflight: what each server would refuse, before anything is queued
export { ServerCatalogues } from './preflight/server-catalogues';
export { preflightSteps } from './preflight/preflight-steps';
export type { StepPreflight } from './preflight/preflight-steps';
export { describeProblem } from './preflight/preflight-problem';
export { listOfferedModels, resolveModelFolder, MODEL_FOLDERS } from './preflight/model-folders';




// Job ledger and commands
/** @public the worker's e2e tests read whole job rows */
export { ComfyUiJob } from './jobs/comfyui-job.entity';
export { comfyUiEntities, comfyUiMigrations } from './jobs/schema';


export { countJobsByRun, listRunJobs, resolveJobIdPrefix } from './jobs/run-jobs';
export type { RunJob } from './jobs/run-jobs';
export { isOpenJob } from './jobs/job-status-sets';
export { releaseDeadLeases } from './jobs/dead-leases';



export { retryFailedJobs } from './commands/retry-failed-jobs';

export { prepareRunForResume } from './commands/prepare-run-for-resume';

export { sidecarPath } from './files/sidecar';

// Engine (the worker's and the CLI's loops)
export { JobEngine } from './engine/job-engine';
export type { JobEngineEvent, JobFilesWritten } from './engine/job-engine-events';

