import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ComfyUiJob } from '@kiln/comfyui';
import { jobSpecToPipelineRunInput, parseJobSpec } from '@kiln/job-orchestration';
import { createPipelineRun, ImageCandidate, type PipelineRun } from '@kiln/pipeline';
import type { DataSource } from 'typeorm';

const workspaceRoot = resolve(__dirname, '../../../..');
/** Built once by tests/support/global-setup.cjs. */
const workerBundle = join(workspaceRoot, 'dist/apps/worker/main.js');

/** The value, or a failed test naming what was missing. */
export function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing: ${what}`);
  return value;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Its working folder (a fresh temp folder). */
  cwd: string;
  output: { stdout: string; stderr: string };
  /** With `preload` {@link entryStartProbe}: resolves when Node is about to run the worker's entry script. */
  entryStarted?: Promise<void>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every stdout/stderr line parsed as JSON (throws on a line that is not). */
  logs(): Array<Record<string, unknown>>;
  /** Log records with this message. */
  logged(message: string): Array<Record<string, unknown>>;
  alive(): boolean;
}

const live = new Set<WorkerProcess>();
const tempDirs: string[] = [];

/** Preload that reports on fd 3 when the entry script starts (see {@link WorkerProcess.entryStarted}). */
export const entryStartProbe = join(__dirname, 'entry-start-probe.cjs');

/**
 * Spawns `node dist/apps/worker/main.js` with only the given env (plus PATH/HOME): nothing of the
 * test process leaks in. Tracked, so {@link killAllWorkers} can clean up after a failed test.
 * `preload`: a script for `node --require`, given a pipe on fd 3.
 */
export function spawnWorker(env: Record<string, string>, args: string[] = [], options: { preload?: string } = {}): WorkerProcess {
  const cwd = tempDir('kiln-worker-cwd-');
  const child = spawn(process.execPath, [...(options.preload ? ['--require', options.preload] : []), workerBundle, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? cwd, ...env },
    stdio: options.preload ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
  const probe = options.preload ? (child.stdio[3] as NodeJS.ReadableStream) : undefined;
  const entryStarted = probe && new Promise<void>((resolveStart) => probe.once('data', () => resolveStart()));
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.on('close', (code, signal) => {
      exitedFlag = true;
      resolveExit({ code, signal });
    });
  });
  const worker: WorkerProcess = {
    child,
    cwd,
    output,
    entryStarted,
    exited,
    logs: () => parseLogLines(`${output.stdout}\n${output.stderr}`),
    logged: (message) => worker.logs().filter((line) => line['message'] === message),
    alive: () => !exitedFlag,
  };
  live.add(worker);
  void exited.then(() => live.delete(worker));
  return worker;
}

export function parseLogLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

/** SIGKILLs every worker still running (afterEach/afterAll, also after a failed test). */
export async function killAllWorkers(): Promise<void> {
  await Promise.all(
    [...live].map((worker) => {
      worker.child.kill('SIGKILL');
      return worker.exited;
    }),
  );
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Sends `signal` and waits for the exit, failing after `timeoutMs`. */
export async function stopWorker(worker: WorkerProcess, signal: NodeJS.Signals, timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  worker.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`worker did not exit within ${timeoutMs} ms of ${signal}\n${worker.output.stdout}\n${worker.output.stderr}`)), timeoutMs);
  });
  try {
    const result = await Promise.race([worker.exited, timeout]);
    return { ...result, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** The env of a fast test worker; `overrides` win. */
export function workerEnv(databaseUrl: string, comfyUiUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    COMFYUI_BASE_URL: comfyUiUrl,
    COMFYUI_POLL_INTERVAL: '0.2',
    COMFYUI_SUBMIT_INTERVAL: '0.2',
    COMFYUI_MAX_RETRIES: '3',
    KILN_METRICS_PORT: '0',
    KILN_GALLERY_PORT: '0',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls `probe` until it returns something truthy; the error names `what` and the worker output. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000, workers: WorkerProcess[] = []): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      const output = workers.map((w) => `${w.output.stdout}\n${w.output.stderr}`).join('\n---\n');
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${output.slice(-6000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function tempDir(prefix = 'kiln-worker-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * A pipeline job file: `steps` steps of `count` small images each, `children` per selected candidate;
 * `timeout: 'unset'` writes none, so the worker's COMFYUI_TIMEOUT applies.
 */
export function pipelineYaml(options: { steps: string[]; count: number; children?: number; checkpoint?: string; timeout?: number | 'unset' }): string {
  const steps = options.steps
    .map((name) => [`  - name: ${name}`, `    prompt: portrait of ${name.toLowerCase()}`, `    count: ${options.count}`, options.children ? `    children: ${options.children}` : ''].filter(Boolean).join('\n'))
    .join('\n');
  return [
    'version: 1',
    'output: { dir: out }',
    'defaults:',
    `  checkpoint: ${options.checkpoint ?? 'v1-5-pruned-emaonly.safetensors'}`,
    '  width: 64',
    '  height: 64',
    '  steps: 2',
    '  seed: 1234',
    options.timeout === 'unset' ? '' : `  timeout: ${options.timeout ?? 60}`,
    'steps:',
    steps,
    '',
  ].join('\n');
}

/** Registers a pipeline run (kind `pipeline`) from job-file YAML, its images under `dir/out`. */
export async function createRun(dataSource: DataSource, yaml: string, dir: string, name = 'worker-test'): Promise<PipelineRun> {
  const parsed = parseJobSpec(yaml, { baseDir: dir, sourceName: `${name}.yaml` });
  if (!parsed.ok) throw new Error(parsed.message);
  return createPipelineRun(dataSource.manager, jobSpecToPipelineRunInput(parsed.spec, { name }));
}

export function runCandidates(dataSource: DataSource, runId: string): Promise<ImageCandidate[]> {
  return dataSource.getRepository(ImageCandidate).find({ where: { runId }, order: { createdAt: 'ASC', id: 'ASC' } });
}

export function runJobs(dataSource: DataSource, runId: string): Promise<ComfyUiJob[]> {
  return dataSource.getRepository(ComfyUiJob).findBy({ pipelineRunId: runId });
}

/** True once the run has `count` candidates and every job of it is completed and processed. */
export async function runFinished(dataSource: DataSource, runId: string, count: number): Promise<boolean> {
  const [candidates, jobs] = await Promise.all([runCandidates(dataSource, runId), runJobs(dataSource, runId)]);
  return candidates.length === count && jobs.length === count && jobs.every((j) => j.status === 'completed' && j.processedAt !== null);
}

/** Leftover temp files of interrupted writes under `dir`. */
export function partFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.kiln-part'));
  } catch {
    return [];
  }
}
