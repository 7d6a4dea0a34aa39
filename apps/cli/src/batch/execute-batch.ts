import * as path from 'node:path';
import { prepareRunForResume } from '@kiln/comfyui';
import type { EmbeddedServer } from '@kiln/database';
import type { ResolvedJobSpec } from '@kiln/job-orchestration';
import { setPipelineRunStatus } from '@kiln/pipeline';
import { redactUrl } from '@kiln/settings';
import type { CliContext } from '../cli-context';
import type { ComfyUiSession } from '../comfyui/comfyui-session';
import type { CliConfig } from '../config/cli-config';
import { openKilnDatabase } from '../database/open-kiln-database';
import { CliError, ExitCode } from '../errors';
import { Manifest, MANIFEST_FILE, type ManifestEntry } from '../manifest/manifest';
import { formatTable } from '../output/format';
import type { Reporter } from '../output/reporter';
import type { CheckedSpec } from '../spec-check/check-spec';
import { batchRunInput, cancelSupersededRuns, createBatchRun, findResumableRun } from './batch-run';
import { driveBatch, summarize } from './drive-batch';
import { inspectOutput, type OutputState } from './existing-outputs';
import type { PlannedImage } from './plan-batch';
import { reconcileManifest } from './reconcile-manifest';

export interface ExecuteBatchInput {
  ctx: CliContext;
  config: CliConfig;
  reporter: Reporter;
  /** The servers, opened (and closed) by the caller: its catalogues may already hold what loading the spec read. */
  comfy: ComfyUiSession;
  /** The spec, through the same check as `kiln validate` (with the servers of `comfy`). */
  checked: CheckedSpec;
  /** Run name and manifest `source`: the spec file's name, or `kiln generate`. */
  source: string;
  /** How to run it again, for the Ctrl-C message. */
  rerunHint: string;
  dryRun?: boolean;
  /** The embedded database, already booting (startEmbeddedDatabaseEarly); the caller closes it if unused. */
  embedded?: EmbeddedServer;
}

/**
 * A batch from checked spec to finished files: files in the way refused, already made files skipped,
 * then the engine drives the run to the end in this process.
 */
export async function executeBatch(input: ExecuteBatchInput): Promise<number> {
  const { ctx, config, reporter, comfy } = input;
  const { spec, plan } = input.checked;
  if (spec.kind !== 'batch') {
    throw new CliError(
      'INVALID_INPUT',
      `${input.source} describes a pipeline (steps:), whose children wait for a person to select candidates; ` +
        `register it with \`kiln pipeline start ${input.source}\` and run \`nx run worker:serve\`, or write items: for a batch`,
    );
  }
  const showPath = (absolute: string) => displayPath(absolute, ctx.cwd);

  try {
    const manifest = Manifest.load(spec.outputDir);
    if (manifest.warning) reporter.warn(manifest.warning);

    if (input.dryRun) {
      const states = plan.map((image) => inspectOutput(image, manifest));
      printPlan(reporter, plan, states, spec, showPath);
      return ExitCode.ok;
    }

    const started = Date.now();
    const db = await openKilnDatabase(config, reporter, input.embedded);
    try {
      const runInput = batchRunInput(spec, input.source);
      const resumed = spec.overwrite ? undefined : await findResumableRun(db.dataSource, runInput);
      if (resumed) {
        const reconciled = await reconcileManifest(db.dataSource, resumed.id, plan, manifest, input.source);
        const { retried, requeued } = await prepareRunForResume(db.dataSource, resumed.id, comfy.urls);
        reporter.info(
          `resuming the ${resumed.status === 'failed' ? 'failed' : 'interrupted'} run ${resumed.id.slice(0, 8)} (${resumed.createdAt.toISOString()})` +
            `${reconciled ? `; ${reconciled} finished image(s) added to ${MANIFEST_FILE}` : ''}${retried ? `; retrying ${retried} failed image(s)` : ''}` +
            `${requeued ? `; queueing again ${requeued} image(s) that were on a server no longer in use` : ''}`,
          { runId: resumed.id, resumed: true },
        );
      }
      const states = plan.map((image) => (spec.overwrite ? ({ kind: 'absent' } as const) : inspectOutput(image, manifest, resumed?.id)));
      assertNothingInTheWay(plan, states, showPath);

      const made = plan.flatMap((image, i) => (states[i].kind === 'made' ? [{ image, entry: (states[i] as { entry: ManifestEntry }).entry }] : []));
      const pending = plan.filter((_, i) => states[i].kind !== 'made');
      let runId: string;
      if (resumed) {
        runId = resumed.id;
      } else {
        await cancelSupersededRuns(db.dataSource, spec.outputDir);
        runId = (await createBatchRun(db.dataSource, runInput, made)).id;
        reporter.info(`run ${runId.slice(0, 8)}: ${input.source} → ${showPath(spec.outputDir)} on ${comfy.label}`, { runId, outputDir: spec.outputDir, servers: comfy.urls.map(redactUrl) });
      }

      // Everything made (a resumed run whose last images only needed listing): the run is over.
      if (pending.length === 0) await setPipelineRunStatus(db.dataSource.manager, runId, 'completed');
      reporter.start(plan.length, pending.length);
      for (const { image, entry } of made) {
        reporter.skipped({ item: image.label, file: showPath(image.absoluteFile), seed: entry.seed, reason: 'already made from this item (kiln-manifest.json)' });
      }
      const result = pending.length === 0 ? { done: 0, failures: [], interrupted: false } : await driveBatch({
        dataSource: db.dataSource,
        runId,
        servers: comfy.urls,
        headers: comfy.headers,
        catalogues: comfy.catalogues,
        config,
        pending,
        manifest,
        source: input.source,
        reporter,
        ctx,
        showPath,
      });
      reporter.finish(summarize(plan.length, made.length, result, Date.now() - started));
      if (result.interrupted) {
        reporter.warn(`interrupted: finished files are kept. To resume, run: ${input.rerunHint}`);
        return ExitCode.interrupted;
      }
      if (result.failures.length === 0) return ExitCode.ok;
      reporter.warn(`to retry the failed items once the cause is fixed, run: ${input.rerunHint} (images the server made are fetched again, not generated again)`);
      return ExitCode.itemsFailed;
    } finally {
      await db.close();
    }
  } finally {
    reporter.close();
  }
}

function assertNothingInTheWay(plan: PlannedImage[], states: OutputState[], showPath: (p: string) => string): void {
  const blocked = plan.flatMap((image, i) => {
    const state = states[i];
    return state.kind === 'in-the-way' ? [`${showPath(image.absoluteFile)} (item '${image.label}'): ${state.reason}`] : [];
  });
  if (blocked.length === 0) return;
  throw new CliError(
    'INVALID_INPUT',
    `${blocked.length} file(s) in the way, not made from the same item; nothing was queued:\n` +
      blocked.map((line) => `  - ${line}`).join('\n') +
      `\n  fix: move them away, or rerun with --overwrite (or set output.overwrite: true) to replace them`,
    { details: { inTheWay: plan.filter((_, i) => states[i].kind === 'in-the-way').map((image) => image.absoluteFile) } },
  );
}

function printPlan(reporter: Reporter, plan: PlannedImage[], states: OutputState[], spec: ResolvedJobSpec, showPath: (p: string) => string): void {
  const rows = [['ITEM', 'FILE', 'SEED', 'CHECKPOINT', 'STATE']];
  const items = plan.map((image, i) => {
    const state = states[i];
    const status = state.kind === 'made' ? 'skip (already made)' : state.kind === 'in-the-way' ? (spec.overwrite ? 'overwrite' : `in the way: ${state.reason}`) : 'generate';
    const seed = state.kind === 'made' ? state.entry.seed : image.seed;
    rows.push([image.label, showPath(image.absoluteFile), String(seed), image.checkpoint ?? '(workflow)', status]);
    return { item: image.label, file: image.absoluteFile, seed, checkpoint: image.checkpoint ?? null, state: status };
  });
  const blocked = states.filter((s) => s.kind === 'in-the-way').length;
  const footer = `dry run: ${plan.length} image(s) into ${showPath(spec.outputDir)}, nothing queued` + (blocked && !spec.overwrite ? `; ${blocked} file(s) in the way (a real run would stop: use --overwrite)` : '');
  reporter.result(`${formatTable(rows)}\n${footer}`, { dryRun: true, outputDir: spec.outputDir, images: items });
}

/** Paths inside the current folder are shown relative to it. */
function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
}
