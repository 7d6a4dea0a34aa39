import type { CliContext } from '../cli-context';
import type { GenerateOptions } from '../commands/option-types';
import { startEmbeddedDatabaseEarly } from '../database/start-embedded-early';
import { setUpCommand } from './command-setup';

/** `kiln generate`: one image from flags, validated and run exactly like a one-item job file. */
export async function generateAction(ctx: CliContext, options: GenerateOptions): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  const embedded = startEmbeddedDatabaseEarly(config);
  try {
    // Imported once the database is booting, which overlaps their loading (see run.action.ts).
    const [{ generateSpec }, { executeBatch }, { openComfySession }] = await Promise.all([
      import('./generate-spec.js'),
      import('../batch/execute-batch.js'),
      import('../comfyui/comfyui-session.js'),
    ]);
    const spec = generateSpec(options, ctx.cwd);
    const comfy = await openComfySession(config, reporter, ctx.env);
    try {
      return await executeBatch({ ctx, config, reporter, comfy, spec, source: 'kiln generate', rerunHint: 'the same kiln generate command', embedded });
    } finally {
      await comfy.close();
    }
  } finally {
    reporter.close();
    await embedded?.close();
  }
}
