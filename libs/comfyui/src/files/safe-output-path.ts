import { isAbsolute, relative, resolve, sep } from 'node:path';
import { JobError } from '../jobs/job-error';

/** Joins a run folder and an output name, refusing any name that would leave the folder. */
export function safeOutputPath(targetFolder: string, outputName: string): string {
  const root = resolve(targetFolder);
  const full = resolve(root, outputName);
  const rel = relative(root, full);
  if (!outputName || isAbsolute(outputName) || outputName.includes('\0') || rel === '' || rel.startsWith(`..${sep}`) || rel === '..') {
    throw new JobError('OUTPUT_UNSAFE_PATH', `output name '${outputName}' would be written outside ${root}`);
  }
  return full;
}
