import * as path from 'node:path';
import { slugify } from '@kiln/job-orchestration';
import { executeBatch } from '../batch/execute-batch';
import { parseSpecData } from '../batch/load-spec';
import type { CliContext } from '../cli-context';
import type { GenerateOptions } from '../commands/option-types';
import { CliError } from '../errors';
import { setUpCommand } from './command-setup';
import { nameFromPrompt } from './name-from-prompt';

/** `kiln generate`: one image from flags, validated and run exactly like a one-item job file. */
export async function generateAction(ctx: CliContext, options: GenerateOptions): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  try {
    const name = options.name ?? nameFromPrompt(options.prompt);
    if (!slugify(name)) {
      throw new CliError('INVALID_INPUT', `cannot make a file name from '${name}': give --name with some letters or digits`);
    }
    const item: Record<string, unknown> = {
      name,
      prompt: options.prompt,
      checkpoint: options.checkpoint,
      seed: options.seed ?? 'random',
      negative_prompt: options.negative,
      width: options.width,
      height: options.height,
      steps: options.steps,
      cfg: options.cfg,
      sampler: options.sampler,
      scheduler: options.scheduler,
      // Relative to the workflow's own folder, which becomes the spec's base folder below.
      workflow: options.workflow ? path.basename(options.workflow) : undefined,
      timeout: options.timeout ?? config.defaultTimeoutSeconds,
    };
    const data = {
      version: 1,
      output: { dir: path.resolve(ctx.cwd, options.out), overwrite: options.overwrite === true },
      items: [Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined))],
    };
    const baseDir = options.workflow ? path.dirname(path.resolve(ctx.cwd, options.workflow)) : ctx.cwd;
    const spec = parseSpecData(data, baseDir, 'kiln generate flags');
    return await executeBatch({ ctx, config, reporter, spec, source: 'kiln generate', rerunHint: 'the same kiln generate command' });
  } finally {
    reporter.close();
  }
}
