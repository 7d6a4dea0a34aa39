import type { CliContext } from '../cli-context';
import { listAvailableCheckpoints, openComfySession } from '../comfyui/comfyui-session';
import type { ServerOptions } from '../commands/option-types';
import { ExitCode } from '../errors';
import { setUpCommand } from './command-setup';

/** `kiln checkpoints`: the checkpoint names the server offers, one per line. */
export async function checkpointsAction(ctx: CliContext, options: ServerOptions): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  const comfy = await openComfySession(config, reporter, ctx.env);
  try {
    const checkpoints = await listAvailableCheckpoints(comfy);
    const text = checkpoints.length ? checkpoints.join('\n') : `(no checkpoints on ${comfy.label}: put .safetensors files in ComfyUI's models/checkpoints)`;
    reporter.result(text, { server: comfy.label, checkpoints });
    return ExitCode.ok;
  } finally {
    await comfy.close();
  }
}
