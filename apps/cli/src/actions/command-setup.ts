import type { CliContext } from '../cli-context';
import { resolveCliConfig, type CliConfig } from '../config/cli-config';
import { createReporter } from '../output/create-reporter';
import type { Reporter } from '../output/reporter';
import type { ServerOptions } from '../commands/option-types';

/** Config and reporter of a command, from its flags and the environment. */
export function setUpCommand(ctx: CliContext, options: ServerOptions, progress = false): { config: CliConfig; reporter: Reporter } {
  const reporter = createReporter({ json: options.json, progress, env: ctx.env, streams: ctx });
  try {
    return { config: resolveCliConfig(options, ctx.env, ctx.cwd), reporter };
  } catch (error) {
    reporter.close();
    throw error;
  }
}
