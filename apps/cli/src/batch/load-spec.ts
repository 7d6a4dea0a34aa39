import * as path from 'node:path';
import { loadJobSpecFile, parseJobSpec, type ObjectInfo, type ResolvedJobSpec } from '@kiln/job-orchestration';
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

/** Reads and validates a job file; every problem in it is reported at once (exit code 2). */
export function loadSpec(file: string, cwd: string, overrides: SpecOverrides = {}): ResolvedJobSpec {
  const result = loadJobSpecFile(path.resolve(cwd, file), { maxImages: overrides.maxImages });
  if (!result.ok) throw new CliError('INVALID_INPUT', result.message, { details: { issues: result.issues } });
  return applyOverrides(result.spec, overrides);
}

/**
 * Like {@link loadSpec}, but with the server's `/object_info`: UI-format workflow files are converted
 * as ComfyUI's front end would, and any node the server marks `output_node` with an IMAGE input counts
 * as an image output (custom savers too). `catalogue: 'when-needed'` (a dry run) fetches it only for
 * UI-format files, and the class-name rule picks the outputs.
 */
export async function loadSpecUsingServer(
  file: string,
  cwd: string,
  overrides: SpecOverrides,
  fetchObjectInfo: () => Promise<ObjectInfo>,
  catalogue: 'always' | 'when-needed' = 'always',
): Promise<ResolvedJobSpec> {
  const absolute = path.resolve(cwd, file);
  const { maxImages } = overrides;
  let result = catalogue === 'always' ? loadJobSpecFile(absolute, { objectInfo: await fetchObjectInfo(), maxImages }) : loadJobSpecFile(absolute, { maxImages });
  if (!result.ok && catalogue === 'when-needed' && result.issues.some((issue) => issue.code === 'needs-object-info')) {
    result = loadJobSpecFile(absolute, { objectInfo: await fetchObjectInfo(), maxImages });
  }
  if (!result.ok) throw new CliError('INVALID_INPUT', result.message, { details: { issues: result.issues } });
  return applyOverrides(result.spec, overrides);
}

/** Validates a spec built in memory (`kiln generate`) exactly like a job file. */
export function parseSpecData(data: Record<string, unknown>, baseDir: string, sourceName: string, overrides: SpecOverrides = {}): ResolvedJobSpec {
  const result = parseJobSpec(JSON.stringify(data), { baseDir, sourceName, format: 'json', maxImages: overrides.maxImages });
  if (!result.ok) throw new CliError('INVALID_INPUT', result.message, { details: { issues: result.issues } });
  return applyOverrides(result.spec, overrides);
}

function applyOverrides(spec: ResolvedJobSpec, overrides: SpecOverrides): ResolvedJobSpec {
  const overwrite = overrides.overwrite === true || spec.overwrite;
  return {
    ...spec,
    outputDir: overrides.outputDir ?? spec.outputDir,
    overwrite,
    steps: spec.steps.map((step) => ({ ...step, overwrite: overwrite || step.overwrite })),
  };
}
