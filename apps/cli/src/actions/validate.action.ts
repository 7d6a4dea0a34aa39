import * as path from 'node:path';
import type { CliContext } from '../cli-context';
import { openComfySession } from '../comfyui/comfyui-session';
import type { ServerOptions } from '../commands/option-types';
import { ExitCode } from '../errors';
import type { Reporter } from '../output/reporter';
import { checkSpec, type CheckedSpec } from '../spec-check/check-spec';
import { setUpCommand } from './command-setup';

/** `kiln validate`: every check `kiln run` makes before queueing (the same {@link checkSpec}), and nothing else. */
export async function validateAction(ctx: CliContext, file: string, options: ServerOptions & { offline?: boolean }): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  const check = { source: { file }, cwd: ctx.cwd, overrides: { maxImages: config.maxImages }, reporter };
  if (options.offline) {
    return report(file, await checkSpec(check), reporter);
  }
  // One session: UI-format conversion and the preflight read each server's /object_info once between them.
  const comfy = await openComfySession(config, reporter, ctx.env);
  try {
    return report(file, await checkSpec({ ...check, servers: { comfy } }), reporter);
  } finally {
    await comfy.close();
  }
}

function report(file: string, { spec, plan, serverCheck }: CheckedSpec, reporter: Reporter): number {
  const images = spec.kind === 'batch' ? plan.length : spec.steps.reduce((sum, step) => sum + step.baseCount, 0);
  const what = spec.kind === 'batch' ? `${spec.steps.length} item(s), ${images} image(s)` : `${spec.steps.length} step(s), ${images} base image(s)`;
  const checked = serverCheck ? `preflight passed: ${serverCheck}` : 'not checked against a server (--offline): models, node classes and values the server offers';
  reporter.result(`${path.basename(file)} is valid: a ${spec.kind} of ${what}; output to ${spec.outputDir}\n${checked}`, {
    valid: true,
    kind: spec.kind,
    steps: spec.steps.length,
    images,
    outputDir: spec.outputDir,
    checkpoints: spec.checkpoints,
    checkpointsChecked: serverCheck !== undefined,
    serverChecked: serverCheck !== undefined,
  });
  return ExitCode.ok;
}
