import * as path from 'node:path';
import { loadSpec, loadSpecUsingServer } from '../batch/load-spec';
import { planBatch } from '../batch/plan-batch';
import type { CliContext } from '../cli-context';
import { fetchObjectInfo, openComfySession } from '../comfyui/comfyui-session';
import type { ServerOptions } from '../commands/option-types';
import { ExitCode } from '../errors';
import { assertSpecRunnable } from '../preflight/preflight-spec';
import { setUpCommand } from './command-setup';

/** `kiln validate`: every check `kiln run` makes before queueing, and nothing else. */
export async function validateAction(ctx: CliContext, file: string, options: ServerOptions & { offline?: boolean }): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  const spec = options.offline ? loadSpec(file, ctx.cwd) : await loadSpecUsingServer(file, ctx.cwd, {}, () => fetchObjectInfo(config, reporter, ctx.env));
  for (const note of spec.notes) reporter.info(`note: ${note}`);
  const images = spec.kind === 'batch' ? planBatch(spec).length : spec.steps.reduce((sum, step) => sum + step.baseCount, 0);
  const what = spec.kind === 'batch' ? `${spec.steps.length} item(s), ${images} image(s)` : `${spec.steps.length} step(s), ${images} base image(s)`;
  let checked = 'not checked against a server (--offline): models, node classes and values the server offers';
  if (!options.offline) {
    const comfy = await openComfySession(config, reporter, ctx.env);
    try {
      checked = `preflight passed: ${await assertSpecRunnable(comfy, spec.steps, reporter)}`;
    } finally {
      await comfy.close();
    }
  }
  reporter.result(`${path.basename(file)} is valid: a ${spec.kind} of ${what}; output to ${spec.outputDir}\n${checked}`, {
    valid: true,
    kind: spec.kind,
    steps: spec.steps.length,
    images,
    outputDir: spec.outputDir,
    checkpoints: spec.checkpoints,
    checkpointsChecked: !options.offline,
    serverChecked: !options.offline,
  });
  return ExitCode.ok;
}
