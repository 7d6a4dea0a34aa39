import { Option, type Command } from 'commander';

/** `--server` / `--emulator`, for every command that talks to ComfyUI. */
export function addServerOptions(command: Command): Command {
  return command
    .addOption(new Option('--server <url>', 'ComfyUI base URL, comma-separated for a pool (default: $COMFYUI_BASE_URL or http://localhost:8188)'))
    .addOption(new Option('--emulator', 'start the bundled ComfyUI emulator in-process instead (synthetic images, for trying kiln out)').conflicts('server'));
}

export function addJsonOption(command: Command): Command {
  return command.option('--json', 'machine output: one JSON object per line');
}

/** Help text listing examples, shown after the options. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}
