import * as path from 'node:path';
import { loadJobSpecFile, outputDirProblem, parseJobSpec, type ObjectInfo, type ParseJobSpecResult, type ResolvedJobSpec } from '@kiln/job-orchestration';
import { CliError } from '../errors';

/** Spec adjustments from flags and environment. */
export interface SpecOverrides {
  /** `--out`: absolute output folder. */
  outputDir?: string;
  /** `--overwrite`. */
  overwrite?: boolean;
  /** KILN_MAX_IMAGES: most images the file may ask for. */
  maxImages?: number;
}

/** Where a spec comes from: a job file, or data built in memory (`kiln generate`'s flags). */
export type SpecSource = { file: string } | { data: Record<string, unknown>; baseDir: string; sourceName: string };

/**
 * Reads and validates a spec; every problem in it is reported at once (exit code 2). With
 * `fetchObjectInfo` (the server's `/object_info`), UI-format workflow files are converted as
 * ComfyUI's front end would, and any node the server marks `output_node` with an IMAGE input counts
 * as an image output (custom savers too). `catalogue: 'when-needed'` (a dry run) fetches it only for
 * UI-format files, and the class-name rule picks the outputs.
 */
export async function loadSpec(
  source: SpecSource,
  cwd: string,
  overrides: SpecOverrides,
  fetchObjectInfo?: () => Promise<ObjectInfo>,
  catalogue: 'always' | 'when-needed' = 'always',
): Promise<ResolvedJobSpec> {
  const parse = (objectInfo?: ObjectInfo): ParseJobSpecResult =>
    'file' in source
      ? loadJobSpecFile(path.resolve(cwd, source.file), { objectInfo, maxImages: overrides.maxImages })
      : parseJobSpec(JSON.stringify(source.data), { baseDir: source.baseDir, sourceName: source.sourceName, format: 'json', objectInfo, maxImages: overrides.maxImages });
  let result = fetchObjectInfo && catalogue === 'always' ? parse(await fetchObjectInfo()) : parse();
  if (!result.ok && fetchObjectInfo && catalogue === 'when-needed' && result.issues.some((issue) => issue.code === 'needs-object-info')) {
    result = parse(await fetchObjectInfo());
  }
  if (!result.ok) throw new CliError('INVALID_INPUT', result.message, { details: { issues: result.issues } });
  return applyOverrides(result.spec, overrides);
}

function applyOverrides(spec: ResolvedJobSpec, overrides: SpecOverrides): ResolvedJobSpec {
  if (overrides.outputDir) {
    const problem = outputDirProblem(overrides.outputDir);
    if (problem) throw new CliError('INVALID_INPUT', `--out: ${problem}\n  fix: give --out a folder (or a path where one can be made)`);
  }
  const overwrite = overrides.overwrite === true || spec.overwrite;
  return {
    ...spec,
    outputDir: overrides.outputDir ?? spec.outputDir,
    overwrite,
    steps: spec.steps.map((step) => ({ ...step, overwrite: overwrite || step.overwrite })),
  };
}
