import { Command, CommanderError } from 'commander';
import type { CliContext } from './cli-context';
import { createActionRunner } from './commands/action-runner';
import { registerBatchCommands } from './commands/batch.commands';
import { registerGalleryCommand } from './commands/gallery.commands';
import { registerPipelineCommands } from './commands/pipeline.commands';
import { examples } from './commands/shared-options';
import { ExitCode } from './errors';
import { KILN_VERSION } from './version';

const ENVIRONMENT_HELP = `
Environment:
  COMFYUI_BASE_URL         ComfyUI server(s), comma-separated (default http://localhost:8188); --server overrides
  COMFYUI_AUTH_HEADER      extra header for every ComfyUI request, e.g. "Authorization: Bearer …"
  COMFYUI_TIMEOUT          default seconds per image (300); a spec's timeout: wins
  COMFYUI_POLL_INTERVAL    seconds between status polls (5)
  COMFYUI_SUBMIT_INTERVAL  seconds between idle submit ticks (10)
  COMFYUI_MAX_RETRIES      retries of a failed submission (3)
  COMFYUI_MAX_IN_FLIGHT    prompts kept queued per server (2)
  DATABASE_URL             PostgreSQL URL; unset: an embedded database in .kiln/db
  KILN_DATA_DIR            folder of the embedded database (default .kiln/db)
  KILN_GALLERY_HOST        address of kiln gallery (default 127.0.0.1); another one needs KILN_GALLERY_TOKEN
  KILN_GALLERY_PORT        port of kiln gallery (default 8190)
  KILN_GALLERY_TOKEN       secret the gallery's login form asks for (16+ characters)
  NO_COLOR                 set to turn colours off
`;

/** The `kiln` command tree. Actions are imported only when their command runs, so help is instant. */
function buildProgram(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const program = new Command('kiln')
    .description('Kiln turns image-generation work into finished, named, reproducible files by driving ComfyUI.')
    .version(KILN_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help (every command has its own, with examples)')
    .showHelpAfterError('(add --help for usage and examples)')
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    })
    .exitOverride()
    .addHelpText(
      'after',
      examples(
        'kiln run examples/portraits.yaml --emulator      # try it: bundled emulator, embedded database',
        'kiln generate --prompt "a red fox" --checkpoint v1-5-pruned-emaonly.safetensors',
        'kiln validate examples/portraits.yaml',
        'kiln checkpoints',
      ) + ENVIRONMENT_HELP,
    );
  const runAction = createActionRunner(ctx, setExitCode);
  registerBatchCommands(program, runAction);
  registerPipelineCommands(program, runAction);
  registerGalleryCommand(program, runAction);
  for (const command of allCommands(program)) command.exitOverride().configureOutput({
    writeOut: (text) => ctx.stdout.write(text),
    writeErr: (text) => ctx.stderr.write(text),
  });
  return program;
}

/** Parses `argv` (as in process.argv) and runs the command; resolves to the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(ctx, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and version end with exitCode 0; usage errors (unknown flag, bad value) are invalid input.
    if (error.exitCode === 0) return ExitCode.ok;
    if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return ExitCode.ok;
    return ExitCode.invalidInput;
  }
  return exitCode;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}
