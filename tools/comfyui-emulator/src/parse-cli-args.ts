import { parseArgs } from 'node:util';
import type { EmulatorOptions } from './emulator-options';

export const CLI_USAGE = `Usage: comfyui-emulator [options]
  --port <n>            TCP port (default 8188; 0 = random)
  --host <addr>         bind address (default 127.0.0.1)
  --output-dir <dir>    SaveImage folder (default: fresh temp dir)
  --input-dir <dir>     upload/LoadImage folder (default: fresh temp dir with example.png)
  --checkpoints <a,b>   checkpoint names (names containing "broken" fail at load time)
  --duration-ms <n>     time per prompt (default 0)
  --base-path <path>    serve under a reverse-proxy prefix, e.g. /comfy
  --quiet               no per-prompt log lines
  --help`;

export type CliCommand = { kind: 'help' } | { kind: 'start'; options: EmulatorOptions; quiet: boolean };

function toNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} expects a non-negative number, got "${value}"`);
  return n;
}

/** Turns argv (without node and script) into emulator options; throws on bad flags. */
export function parseCliArgs(argv: string[]): CliCommand {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'output-dir': { type: 'string' },
      'input-dir': { type: 'string' },
      checkpoints: { type: 'string' },
      'duration-ms': { type: 'string' },
      'base-path': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return { kind: 'help' };
  const checkpoints = values.checkpoints
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return {
    kind: 'start',
    quiet: values.quiet ?? false,
    options: {
      port: toNumber('--port', values.port) ?? 8188,
      host: values.host,
      outputDir: values['output-dir'],
      inputDir: values['input-dir'],
      checkpoints,
      promptDurationMs: toNumber('--duration-ms', values['duration-ms']),
      basePath: values['base-path'],
    },
  };
}
