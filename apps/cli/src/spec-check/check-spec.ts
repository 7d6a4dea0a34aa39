import type { ResolvedJobSpec } from '@kiln/job-orchestration';
import { loadSpec, type SpecOverrides, type SpecSource } from '../batch/load-spec';
import { planBatch, type PlannedImage } from '../batch/plan-batch';
import type { ComfyUiSession } from '../comfyui/comfyui-session';
import { CliError } from '../errors';
import { MANIFEST_FILE } from '../manifest/manifest';
import type { Reporter } from '../output/reporter';
import { assertSpecRunnable } from '../preflight/preflight-spec';

declare const checked: unique symbol;

/** A spec that passed {@link checkSpec}; nothing else makes one, so no command can skip a check. */
export interface CheckedSpec {
  readonly spec: ResolvedJobSpec;
  /** A batch's images, planned once for the checks and kept for the commands that act on them; empty for a pipeline. */
  readonly plan: PlannedImage[];
  /** One line on what was checked on the servers; undefined when checked without them. */
  readonly serverCheck?: string;
  readonly [checked]: true;
}

export interface CheckSpecInput {
  source: SpecSource;
  cwd: string;
  overrides: SpecOverrides;
  reporter: Reporter;
  /** The servers to check the workflows on; without them only what needs no server is checked (`--offline`). */
  servers?: { comfy: ComfyUiSession; catalogue?: 'always' | 'when-needed' };
}

/**
 * The one check every command makes of a spec before it acts on it (`validate`, `run`, `generate`,
 * `pipeline start`): the spec itself (shape, names, limits, files, workflows), the names Kiln keeps
 * for itself in an output folder, then each workflow against the servers. Throws the first failing
 * stage's error (exit code 2) with every problem of that stage; so whatever `validate` accepts, `run`
 * accepts, and they refuse with the same message.
 */
export async function checkSpec(input: CheckSpecInput): Promise<CheckedSpec> {
  const { comfy, catalogue } = input.servers ?? {};
  const spec = await loadSpec(input.source, input.cwd, input.overrides, comfy ? () => comfy.objectInfo() : undefined, catalogue);
  for (const note of spec.notes) input.reporter.info(`note: ${note}`);
  const plan = spec.kind === 'batch' ? planBatch(spec) : [];
  assertNoReservedNames(plan);
  const serverCheck = comfy ? await assertSpecRunnable(comfy, spec.steps, input.reporter) : undefined;
  return { spec, plan, serverCheck } as CheckedSpec;
}

/** A batch keeps kiln-manifest.json beside its images; an image `kiln-manifest.png` would put its sidecar there. */
function assertNoReservedNames(plan: PlannedImage[]): void {
  const clash = plan.find((image) => image.relativeFile.replace(/\.png$/, '.json') === MANIFEST_FILE);
  if (clash) {
    throw new CliError('INVALID_INPUT', `item '${clash.itemName}' would write its sidecar over ${MANIFEST_FILE}, the batch's manifest; nothing was queued\n  fix: rename the item`);
  }
}
