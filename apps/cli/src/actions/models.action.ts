import { listOfferedModels, MODEL_FOLDERS, resolveModelFolder } from '@kiln/comfyui';
import { redactUrl } from '@kiln/settings';
import type { CliContext } from '../cli-context';
import { openComfySession } from '../comfyui/comfyui-session';
import type { ServerOptions } from '../commands/option-types';
import { CliError, ExitCode } from '../errors';
import { setUpCommand } from './command-setup';

/** `kiln models [FOLDER]`: per server, the files of every model folder (or of one), from its loaders in /object_info. */
export async function modelsAction(ctx: CliContext, folderName: string | undefined, options: ServerOptions): Promise<number> {
  const { config, reporter } = setUpCommand(ctx, options);
  const folder = folderName === undefined ? undefined : resolveModelFolder(folderName);
  if (folderName !== undefined && !folder) {
    throw new CliError('INVALID_INPUT', `unknown model folder '${folderName}'; known: ${MODEL_FOLDERS.join(', ')} (aliases: unet, clip, vaes, lora…)`);
  }
  const comfy = await openComfySession(config, reporter, ctx.env);
  try {
    const servers = await Promise.all(
      comfy.urls.map(async (url) => {
        const catalogue = await comfy.catalogues.get(url);
        const all = listOfferedModels(catalogue.objectInfo);
        const models = folder ? { [folder]: all[folder] ?? [] } : all;
        return { server: redactUrl(url), identity: catalogue.identity, models };
      }),
    );
    const text = servers
      .map(({ server, identity, models }) => {
        const folders = Object.entries(models).map(([name, files]) => `${name} (${files.length}):${files.length ? `\n${files.map((f) => `  ${f}`).join('\n')}` : ' (none)'}`);
        return `${server} (${identity})\n${folders.join('\n')}`;
      })
      .join('\n\n');
    reporter.result(text, { servers });
    return ExitCode.ok;
  } finally {
    await comfy.close();
  }
}
