import { parseCliArgs, CLI_USAGE } from './parse-cli-args';
import { startEmulator } from './start-emulator';

/** `comfyui-emulator` command: start, print the URL, stop cleanly on SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${CLI_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${CLI_USAGE}\n`);
    return;
  }
  const quiet = command.quiet;
  let emulator;
  try {
    emulator = await startEmulator({
      ...command.options,
      logger: quiet ? undefined : (message) => process.stdout.write(`[comfyui-emulator] ${message}\n`),
    });
  } catch (error) {
    // Bad folders, node names or a busy port: say why without a stack trace.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`ComfyUI emulator ready at ${emulator.url}\n`);
  process.stdout.write(`  output: ${emulator.outputDir}\n  input:  ${emulator.inputDir}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
