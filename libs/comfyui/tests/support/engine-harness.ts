import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobSpecToPipelineRunInput, parseJobSpec } from '@kiln/job-orchestration';
import { createPipelineRun } from '@kiln/pipeline';
import { startTestEmulator, type EmulatorOptions, type RunningEmulator } from '@kiln/testing';
import type { DataSource } from 'typeorm';
import { createLogger, format, transports } from 'winston';
import { JobEngine, type JobEngineEvent } from '../../src';
import { type JobEngineOptions } from '../../src/engine/resolve-engine-options';

export function tempDir(prefix = 'kiln-engine-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Quiet by default; KILN_TEST_LOGS=1 shows the engine's logs. */
export const testLogger = createLogger({
  level: process.env['KILN_TEST_LOGS'] ? 'debug' : 'error',
  silent: !process.env['KILN_TEST_LOGS'],
  format: format.combine(format.timestamp(), format.json()),
  transports: [new transports.Console()],
});

/** A batch of one item (`One`, one image): enough for tests of single job rows. */
export const oneItemRunYaml = `
version: 1
output: { dir: out }
defaults: { checkpoint: a.safetensors, seed: 5 }
items:
  - { name: One, prompt: p }
`;

/** A pipeline run from job-file YAML, written under `outDir`. */
export async function createRunFromYaml(dataSource: DataSource, yaml: string, outDir: string, name = 'test-run') {
  const parsed = parseJobSpec(yaml, { baseDir: outDir, sourceName: `${name}.yaml` });
  if (!parsed.ok) throw new Error(parsed.message);
  return createPipelineRun(dataSource.manager, jobSpecToPipelineRunInput(parsed.spec, { name }));
}

/** An engine tuned for tests: fast loops, tiny backoffs; records every event. */
export function testEngine(dataSource: DataSource, servers: string[], overrides: Partial<JobEngineOptions> = {}) {
  const events: JobEngineEvent[] = [];
  const engine = new JobEngine({
    dataSource,
    servers,
    pollIntervalMs: 100,
    submitIntervalMs: 100,
    // COMFYUI_TIMEOUT's default, for job files that set no timeout.
    defaultTimeoutSeconds: 300,
    retryBaseDelayMs: 20,
    retryMaxDelayMs: 100,
    client: { retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 10 }, requestTimeoutMs: 2000 },
    logger: testLogger,
    onEvent: (e) => events.push(e),
    ...overrides,
  });
  return { engine, events };
}

export function startEmulatorForTest(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startTestEmulator({ promptDurationMs: 10, ...options });
}
