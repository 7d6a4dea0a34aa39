import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { describeError, exitCodeFor } from '../errors';

/** An action: the command's arguments, then its options; resolves to the exit code. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CommandAction = (ctx: CliContext, ...args: any[]) => Promise<number>;

/** Wraps a lazily imported action (so `kiln --help` loads none of them) as a commander handler. */
export type ActionRunner = (load: () => Promise<CommandAction>) => (...args: unknown[]) => Promise<void>;

/** Runs actions, turns uncaught errors into a message and an exit code, and records the code. */
export function createActionRunner(ctx: CliContext, setExitCode: (code: number) => void): ActionRunner {
  return (load) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const options = command.opts() as { json?: boolean };
      try {
        const action = await load();
        setExitCode(await action(ctx, ...args.slice(0, -1)));
      } catch (error) {
        const code = exitCodeFor(error);
        reportError(ctx, error, code, options.json === true);
        setExitCode(code);
      }
    };
}

function reportError(ctx: CliContext, error: unknown, exitCode: number, json: boolean): void {
  const message = describeError(error);
  if (json) {
    const details = (error as { details?: Record<string, unknown> }).details ?? {};
    ctx.stdout.write(`${JSON.stringify({ event: 'error', message, exitCode, ...details, time: new Date().toISOString() })}\n`);
    return;
  }
  ctx.stderr.write(`error: ${message}\n`);
  if (exitCode === 1 && ctx.env['KILN_DEBUG'] && error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
}
