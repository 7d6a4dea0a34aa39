import * as path from 'node:path';
import { JobEngine, type JobEngineEvent, type JobFilesWritten, type ServerCatalogues } from '@kiln/comfyui';
import { setPipelineRunStatus } from '@kiln/pipeline';
import type { DataSource } from 'typeorm';
import type { CliContext } from '../cli-context';
import type { CliConfig } from '../config/cli-config';
import type { Manifest } from '../manifest/manifest';
import type { ItemFailed, Reporter, RunSummary } from '../output/reporter';
import type { PlannedImage } from './plan-batch';

export interface DriveBatchInput {
  dataSource: DataSource;
  runId: string;
  servers: string[];
  headers: Record<string, string>;
  /** The catalogues the preflight read: the engine routes with them instead of reading `/object_info` again. */
  catalogues: ServerCatalogues;
  config: CliConfig;
  /** Images the engine is to make (not those skipped). */
  pending: PlannedImage[];
  manifest: Manifest;
  /** `kiln generate` or the spec file, recorded in the manifest. */
  source: string;
  reporter: Reporter;
  ctx: CliContext;
  /** Turns an absolute path into what people see. */
  showPath: (absolute: string) => string;
}

export interface DriveBatchResult {
  done: number;
  failures: ItemFailed[];
  interrupted: boolean;
}

/**
 * Runs the engine on one run until nothing is left (or Ctrl-C), reporting every event and recording
 * every finished image in the manifest as it lands.
 */
export async function driveBatch(input: DriveBatchInput): Promise<DriveBatchResult> {
  const { reporter, manifest } = input;
  const byFile = new Map(input.pending.map((image) => [image.absoluteFile, image]));
  const byLabel = new Map(input.pending.map((image) => [image.label, image]));
  const started = new Set<string>();
  const failures: ItemFailed[] = [];
  let done = 0;

  const onEvent = (event: JobEngineEvent): void => {
    const image = byLabel.get(event.label);
    const file = image ? input.showPath(image.absoluteFile) : event.label;
    switch (event.type) {
      case 'job_submitted':
        if (!started.has(event.jobId)) reporter.started({ item: event.label, file });
        started.add(event.jobId);
        break;
      case 'job_retrying':
        reporter.retrying({ item: event.label, file, reason: `${withoutLabel(event.label, event.error)} (attempt ${event.attempt})` });
        break;
      case 'job_completed': {
        done++;
        const moreFiles = event.files.slice(1).map((f) => input.showPath(f.imagePath));
        reporter.done({ item: event.label, file: input.showPath(event.imagePath), seed: event.seed, promptId: event.promptId, sha256: event.sha256, ...(moreFiles.length ? { moreFiles } : {}) });
        break;
      }
      case 'job_failed': {
        const failure = { item: event.label, file, reason: withoutLabel(event.label, event.error) };
        failures.push(failure);
        reporter.failed(failure);
        break;
      }
      default:
        break;
    }
  };

  // Recorded before the job counts as done: when the manifest cannot be saved (a full disk), the
  // engine takes the files away again and retries, so the manifest lists exactly the files on disk.
  const recordInManifest = (written: JobFilesWritten): void => {
    const [first] = written.files;
    const made = (first && byFile.get(path.resolve(first.imagePath))) ?? byLabel.get(written.label);
    if (!made) return;
    // Every file the job wrote (a batch, or each output node): the first is the planned one.
    const folder = path.dirname(made.absoluteFile);
    const createdAt = new Date().toISOString();
    manifest.recordAll(
      written.files.map((file) => [
        path.join(path.dirname(made.relativeFile), path.relative(folder, path.resolve(file.imagePath))).split(path.sep).join('/'),
        {
          item: made.itemName,
          index: made.index,
          itemKey: made.itemKey,
          prompt: made.prompt,
          negativePrompt: made.negativePrompt,
          checkpoint: made.checkpoint,
          ...(made.inputs ? { inputs: made.inputs } : {}),
          seed: written.seed,
          seedMode: typeof made.seed === 'number' ? 'fixed' : made.seed,
          ...(file.nodeId ? { output: { nodeId: file.nodeId, batchIndex: file.batchIndex, batchSize: file.batchSize } } : {}),
          promptId: written.promptId,
          sha256: file.sha256,
          source: input.source,
          runId: input.runId,
          createdAt,
        },
      ]),
    );
  };

  const engine = new JobEngine({
    dataSource: input.dataSource,
    servers: input.servers,
    client: { headers: input.headers },
    runId: input.runId,
    pollIntervalMs: input.config.pollIntervalMs,
    submitIntervalMs: input.config.submitIntervalMs,
    maxRetries: input.config.maxRetries,
    maxInFlightPerServer: input.config.maxInFlightPerServer,
    defaultTimeoutSeconds: input.config.defaultTimeoutSeconds,
    retryBaseDelayMs: Math.min(2000, input.config.pollIntervalMs),
    onEvent,
    onFilesWritten: recordInManifest,
    catalogues: input.catalogues,
  });

  let interruptCount = 0;
  let resolveInterrupt: () => void = () => undefined;
  const interrupted = new Promise<'interrupted'>((resolve) => (resolveInterrupt = () => resolve('interrupted')));
  const unsubscribe = input.ctx.onInterrupt(() => {
    interruptCount++;
    if (interruptCount > 1) {
      reporter.close();
      input.ctx.stderr.write('\nkiln: stopped at once; finished files are kept, rerun the same command to resume\n');
      process.exit(130);
    }
    reporter.warn('\nstopping: letting the image being written finish (Ctrl-C again to quit at once)…');
    resolveInterrupt();
  });

  await engine.start();
  try {
    const outcome = await Promise.race([engine.whenRunSettled(input.runId), interrupted]);
    await engine.stop();
    if (outcome === 'interrupted') return { done, failures, interrupted: true };
    // Failures the engine recorded before this process (none after prepareRunForResume) still count.
    for (const failure of outcome.failed) {
      if (!failures.some((f) => f.item === failure.label)) failures.push({ item: failure.label, file: failure.label, reason: withoutLabel(failure.label, failure.error) });
    }
    await setPipelineRunStatus(input.dataSource.manager, input.runId, failures.length ? 'failed' : 'completed');
    return { done, failures, interrupted: false };
  } finally {
    unsubscribe();
  }
}

/** Engine errors start with the item's label; the reporter prints it already. */
function withoutLabel(label: string, message: string): string {
  return message.startsWith(`${label}: `) ? message.slice(label.length + 2) : message;
}

/** Totals for the final table. */
export function summarize(total: number, skipped: number, result: DriveBatchResult, elapsedMs: number): RunSummary {
  const failed = result.failures.length;
  return {
    done: result.done,
    skipped,
    failed,
    remaining: Math.max(0, total - skipped - result.done - failed),
    elapsedMs,
    failures: result.failures,
  };
}
