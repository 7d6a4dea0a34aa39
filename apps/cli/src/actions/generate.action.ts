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
    const [{ generateSpecSource }, { checkSpec }, { executeBatch }, { openComfySession }] = await Promise.all([
      import('./generate-spec.js'),
      import('../spec-check/check-spec.js'),
      import('../batch/execute-batch.js'),
      import('../comfyui/comfyui-session.js'),
    ]);
    const specSource = generateSpecSource(options, ctx.cwd);
    const comfy = await openComfySession(config, reporter, ctx.env);
    try {
      const checked = await checkSpec({ source: specSource, cwd: ctx.cwd, overrides: { maxImages: config.maxImages }, reporter, servers: { comfy } });
      return await executeBatch({ ctx, config, reporter, comfy, checked, source: 'kiln generate', rerunHint: 'the same kiln generate command', embedded });
    } finally {
      await comfy.close();
    }
  } finally {
    reporter.close();
    await embedded?.close();
  }
}
