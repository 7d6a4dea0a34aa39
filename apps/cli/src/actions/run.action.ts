import * as path from 'node:path';
import { redactUrl } from '@kiln/settings';
import type { CliContext } from '../cli-context';
import type { RunOptions } from '../commands/option-types';
import { startEmbeddedDatabaseEarly } from '../database/start-embedded-early';
import { setUpCommand } from './command-setup';

/** `kiln run JOBFILE`: the whole batch, to the end. */
export async function runAction(ctx: CliContext, file: string, options: RunOptions): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options, !options.dryRun);
  const embedded = options.dryRun ? undefined : startEmbeddedDatabaseEarly(config);
  try {
    // Imported once the database is booting: these modules (TypeORM, validation, the engine) take a
    // few hundred milliseconds to load, which the boot now overlaps.
    const [{ checkSpec }, { executeBatch }, { openComfySession }] = await Promise.all([
      import('../spec-check/check-spec.js'),
      import('../batch/execute-batch.js'),
      import('../comfyui/comfyui-session.js'),
    ]);
    // One session for the whole run: UI-format conversion, preflight and the engine share its
    // catalogues, so each server's /object_info is read once.
    const comfy = await openComfySession(config, reporter, ctx.env);
    try {
      const checked = await checkSpec({
        source: { file },
        cwd: ctx.cwd,
        overrides: { outputDir: options.out ? path.resolve(ctx.cwd, options.out) : undefined, overwrite: options.overwrite, maxImages: config.maxImages },
        reporter,
        servers: { comfy, catalogue: options.dryRun ? 'when-needed' : 'always' },
      });
      const rerun = ['kiln run', quote(file), options.out ? `--out ${quote(options.out)}` : '', options.server ? `--server ${quote(shownServers(options.server))}` : '', options.emulator ? '--emulator' : '']
        .filter(Boolean)
        .join(' ');
      return await executeBatch({ ctx, config, reporter, comfy, checked, source: path.basename(file), rerunHint: rerun, dryRun: options.dryRun, embedded });
    } finally {
      await comfy.close();
    }
  } finally {
    reporter.close();
    await embedded?.close();
  }
}

/** The --server list for the rerun hint: a password stays out of the terminal (`***` shows where it goes). */
function shownServers(list: string): string {
  return list.split(',').map((url) => redactUrl(url.trim())).join(',');
}

function quote(value: string): string {
  return /^[\w./:@,=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
