import { GalleryError, startGallery } from '@kiln/gallery';
import type { CliContext } from '../cli-context';
import { openKilnDatabase } from '../database/open-kiln-database';
import { CliError, ExitCode } from '../errors';
import { setUpCommand } from './command-setup';

export interface GalleryCommandOptions {
  host?: string;
  port?: string;
}

/**
 * `kiln gallery`: serves the gallery until Ctrl-C. With the embedded database this process is the
 * one that holds it, so it is how to review a batch, or a pipeline while no worker runs.
 */
export async function galleryAction(ctx: CliContext, options: GalleryCommandOptions): Promise<number> {
  // The flags stand in for their variables, so a bad value is named and checked the same way.
  const env = { ...ctx.env, ...(options.host ? { KILN_GALLERY_HOST: options.host } : {}), ...(options.port ? { KILN_GALLERY_PORT: options.port } : {}) };
  const { config, reporter } = setUpCommand({ ...ctx, env }, {});
  const db = await openKilnDatabase(config, reporter);
  try {
    let gallery;
    try {
      gallery = await startGallery({ dataSource: db.dataSource, ...config.gallery, log: (message) => ctx.stderr.write(`${message}\n`) });
    } catch (error) {
      if (error instanceof GalleryError) throw new CliError('INVALID_INPUT', error.message, { cause: error });
      throw error;
    }
    reporter.result(`gallery of ${db.location} on ${gallery.url}${config.gallery.token ? ' (sign in with KILN_GALLERY_TOKEN)' : ''}; Ctrl-C stops it`, { url: gallery.url, database: db.location });
    await new Promise<void>((resolve) => {
      const unsubscribe = ctx.onInterrupt(() => {
        unsubscribe();
        resolve();
      });
    });
    await gallery.close();
    return ExitCode.ok;
  } finally {
    reporter.close();
    await db.close();
  }
}
