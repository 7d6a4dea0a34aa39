import type { Command } from 'commander';
import type { ActionRunner } from './action-runner';
import { examples } from './shared-options';

/** `kiln gallery`: the web gallery of runs and candidates, for as long as the command runs. */
export function registerGalleryCommand(program: Command, runAction: ActionRunner): void {
  program
    .command('gallery')
    .summary('browse runs and candidates in a web page; select and reject there')
    .description(
      'Serves the gallery (runs, a run’s candidates as thumbnails, each candidate with its parameters) until Ctrl-C. ' +
        'With the embedded database this is the one process holding it: stop the worker first, or use the worker’s own gallery.',
    )
    .option('--host <address>', 'address to listen on (KILN_GALLERY_HOST; default 127.0.0.1; others need KILN_GALLERY_TOKEN)')
    .option('--port <port>', 'port to listen on (KILN_GALLERY_PORT; default 8190; 0 picks a free one)')
    .addHelpText('after', examples('kiln gallery', 'kiln gallery --port 9000', 'KILN_GALLERY_TOKEN=$(openssl rand -hex 16) kiln gallery --host 0.0.0.0'))
    .action(runAction(async () => (await import('../actions/gallery.action.js')).galleryAction));
}
