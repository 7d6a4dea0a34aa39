import * as path from 'node:path';
import type { ResolvedJobSpec } from '@kiln/job-orchestration';
import { loadSpec, loadSpecUsingServer } from '../batch/load-spec';
import { planBatch } from '../batch/plan-batch';
import type { CliContext } from '../cli-context';
import { openComfySession } from '../comfyui/comfyui-session';
import type { ServerOptions } from '../commands/option-types';
import { ExitCode } from '../errors';
import type { Reporter } from '../output/reporter';
import { assertSpecRunnable } from '../preflight/preflight-spec';
import { setUpCommand } from './command-setup';

/** `kiln validate`: every check `kiln run` makes before queueing, and nothing else. */
export async function validateAction(ctx: CliContext, file: string, options: ServerOptions & { offline?: boolean }): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  if (options.offline) {
    const spec = loadSpec(file, ctx.cwd, { maxImages: config.maxImages });
    for (const note of spec.notes) reporter.info(`note: ${note}`);
    return report(file, spec, 'not checked against a server (--offline): models, node classes and values the server offers', reporter, false);
  }
  // One session: UI-format conversion and the preflight read each server's /object_info once between them.
  const comfy = await openComfySession(config, reporter, ctx.env);
  try {
    const spec = await loadSpecUsingServer(file, ctx.cwd, { maxImages: config.maxImages }, () => comfy.objectInfo());
    for (const note of spec.notes) reporter.info(`note: ${note}`);
    return report(file, spec, `preflight passed: ${await assertSpecRunnable(comfy, spec.steps, reporter)}`, reporter, true);
  } finally {
    await comfy.close();
  }
}

function report(file: string, spec: ResolvedJobSpec, checked: string, reporter: Reporter, serverChecked: boolean): number {
  const images = spec.kind === 'batch' ? planBatch(spec).length : spec.steps.reduce((sum, step) => sum + step.baseCount, 0);
  const what = spec.kind === 'batch' ? `${spec.steps.length} item(s), ${images} image(s)` : `${spec.steps.length} step(s), ${images} base image(s)`;
  reporter.result(`${path.basename(file)} is valid: a ${spec.kind} of ${what}; output to ${spec.outputDir}\n${checked}`, {
    valid: true,
    kind: spec.kind,
    steps: spec.steps.length,
    images,
    outputDir: spec.outputDir,
    checkpoints: spec.checkpoints,
    checkpointsChecked: serverChecked,
    serverChecked,
  });
  return ExitCode.ok;
}
