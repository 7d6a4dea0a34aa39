export { parseJobSpec, loadJobSpecFile } from './spec/parse-job-spec';
export type { ParseJobSpecOptions, ParseJobSpecResult } from './spec/parse-job-spec';
