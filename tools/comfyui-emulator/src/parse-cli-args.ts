import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { EmulatorOptions } from './emulator-options';

export const CLI_USAGE = `Usage: comfyui-emulator [options]
  --port <n>            TCP port (default 8188; 0 = random)
  --host <addr>         bind address (default 127.0.0.1)
  --output-dir <dir>    SaveImage folder (default: fresh temp dir)
  --input-dir <dir>     upload/LoadImage folder (default: fresh temp dir with example.png)
  --checkpoints <a,b>   checkpoint names (names containing "broken" fail at load time)
  --models <folder=a,b> files of a model folder (repeatable; loras, vae, clip, unet, controlnet,
                        upscale_models, …); folders not given keep the default set
  --models-file <json>  {"folder": ["file", …], …}, read before --models
  --input-images <a,b>  synthetic PNGs to put into the input dir
  --custom-nodes <a,b>  classes of ComfyUI's own custom_nodes/ to load (SaveImageWebsocket)
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

function splitList(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

function readModelsFile(file: string): Record<string, string[]> {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((files) => Array.isArray(files) && files.every((f) => typeof f === 'string'));
  if (!valid) throw new Error(`--models-file ${file}: expected {"folder": ["file", …]}`);
  return parsed as Record<string, string[]>;
}

/** `--models-file` first, then each `--models folder=a,b` (an empty list empties the folder). */
function parseModels(file: string | undefined, flags: string[]): Record<string, string[]> | undefined {
  if (file === undefined && flags.length === 0) return undefined;
  const models = file === undefined ? {} : readModelsFile(file);
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new Error(`--models expects folder=file,file, got "${flag}"`);
    models[flag.slice(0, eq).trim()] = splitList(flag.slice(eq + 1)) ?? [];
  }
  return models;
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
      models: { type: 'string', multiple: true },
      'models-file': { type: 'string' },
      'input-images': { type: 'string' },
      'custom-nodes': { type: 'string' },
      'duration-ms': { type: 'string' },
      'base-path': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return { kind: 'help' };
  const checkpoints = splitList(values.checkpoints);
  const models = parseModels(values['models-file'], values.models ?? []);
  return {
    kind: 'start',
    quiet: values.quiet ?? false,
    options: {
      port: toNumber('--port', values.port) ?? 8188,
      host: values.host,
      outputDir: values['output-dir'],
      inputDir: values['input-dir'],
      checkpoints,
      models,
      inputImages: splitList(values['input-images']),
      customNodes: splitList(values['custom-nodes']),
      promptDurationMs: toNumber('--duration-ms', values['duration-ms']),
      basePath: values['base-path'],
    },
  };
}
