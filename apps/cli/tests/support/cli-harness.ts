import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const workspaceRoot = path.resolve(__dirname, '../../../..');
const launcher = path.join(workspaceRoot, 'bin/kiln.cjs');

interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Runs kiln as root without the capabilities that bypass file permissions (`setpriv`), so a folder's
   * mode bits apply to it as to an ordinary user. Unlike switching to another account, it still reads
   * the repository wherever a checkout lies (CI clones into a folder only root may enter).
   */
  withoutPermissionBypass?: boolean;
}

/** Capabilities through which root ignores file modes; dropped from the bounding set, exec loses them. */
const PERMISSION_BYPASS = '-dac_override,-dac_read_search';

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temp folder with its own embedded database (a copy of the migrated template). */
export interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], options?: SpawnOptions & { timeoutMs?: number }): Promise<CliResult>;
  spawn(args: string[], options?: SpawnOptions): ChildProcess & { output: { stdout: string; stderr: string } };
  write(relative: string, text: string): string;
  remove(): void;
}

export function createSandbox(): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-cli-e2e-'));
  const dataDir = path.join(dir, '.kiln/db');
  const template = process.env['KILN_E2E_DB_TEMPLATE'] ?? path.join(workspaceRoot, 'tmp/cli-e2e/db-template');
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  fs.cpSync(template, dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    KILN_DATA_DIR: dataDir,
    KILN_SKIP_BUILD: '1',
    NO_COLOR: '1',
    COMFYUI_POLL_INTERVAL: '0.25',
    COMFYUI_SUBMIT_INTERVAL: '0.25',
    KILN_EMULATOR_PROMPT_MS: '20',
  };
  const spawnCli = (args: string[], options: SpawnOptions) => {
    const [command, commandArgs] = options.withoutPermissionBypass
      ? ['setpriv', ['--bounding-set', PERMISSION_BYPASS, '--', process.execPath, launcher, ...args]]
      : [process.execPath, [launcher, ...args]];
    const child = spawn(command, commandArgs, { cwd: dir, env: { ...env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
    return Object.assign(child, { output });
  };
  return {
    dir,
    env,
    run(args, options = {}) {
      const child = spawnCli(args, options);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`kiln ${args.join(' ')} did not finish in ${options.timeoutMs ?? 45_000} ms\n${child.output.stdout}\n${child.output.stderr}`));
        }, options.timeoutMs ?? 45_000);
        child.on('error', reject);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, ...child.output });
        });
      });
    },
    spawn: (args, options = {}) => spawnCli(args, options),
    write(relative, text) {
      const file = path.join(dir, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A batch spec with `count` items named `Item 1`…, small images, a fixed base seed unless given; `timeout: 'unset'` writes none. */
export function batchSpec(count: number, options: { seed?: number | 'random'; checkpoint?: string; timeout?: number | 'unset'; out?: string; extra?: string } = {}): string {
  const items = Array.from({ length: count }, (_, i) => `  - name: Item ${i + 1}\n    prompt: test image number ${i + 1}`).join('\n');
  return [
    'version: 1',
    `output: { dir: ${options.out ?? 'out'} }`,
    'defaults:',
    `  checkpoint: ${options.checkpoint ?? 'v1-5-pruned-emaonly.safetensors'}`,
    '  width: 64',
    '  height: 64',
    '  steps: 2',
    `  seed: ${options.seed ?? 1234}`,
    options.timeout === 'unset' ? '' : `  timeout: ${options.timeout ?? 60}`,
    options.extra ?? '',
    'items:',
    items,
    '',
  ].join('\n');
}

/** Reads the `--json` lines of a run. */
export function jsonEvents(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export function pngFiles(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort() : [];
}

/** Resolves when `predicate(output)` holds, polling the child's output. */
export async function waitForOutput(child: { output: { stdout: string; stderr: string } }, predicate: (stdout: string) => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(child.output.stdout)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for output; got:\n${child.output.stdout}\n${child.output.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The child's exit code, or `'still running'` (and the child killed) when it has not exited within `ms`. */
export function exitCodeWithin(child: ChildProcess, ms: number): Promise<number | null | 'still running'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running');
    }, ms);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
