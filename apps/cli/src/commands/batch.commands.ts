import { Option, type Command } from 'commander';
import { intOption, numberOption, seedOption } from '../config/option-parsers';
import type { ActionRunner } from './action-runner';
import { addJsonOption, addServerOptions, examples } from './shared-options';

/** `kiln generate`, `kiln run`, `kiln validate`, `kiln checkpoints`, `kiln models`. */
export function registerBatchCommands(program: Command, runAction: ActionRunner): void {
  addJsonOption(
    addServerOptions(
      program
        .command('generate')
        .summary('generate one image from flags')
        .description('Generate one image from a prompt and a checkpoint; prints the file and its seed.')
        .requiredOption('--prompt <text>', 'positive prompt')
        .requiredOption('--checkpoint <file>', 'checkpoint file name as ComfyUI lists it (see `kiln checkpoints`)')
        .option('--name <name>', 'item name; the file is <out>/<slug of name>.png (default: a slug of the prompt)')
        .option('--out <dir>', 'output folder, created if missing', 'out')
        .option('--seed <n|random>', 'seed, or random (drawn and printed)', seedOption, 'random')
        .option('--negative <text>', 'negative prompt')
        .option('--width <n>', 'width in pixels (multiple of 8)', intOption(16, 16384))
        .option('--height <n>', 'height in pixels (multiple of 8)', intOption(16, 16384))
        .option('--steps <n>', 'sampling steps', intOption(1, 10000))
        .option('--cfg <n>', 'classifier-free guidance scale', numberOption(0, 100))
        .option('--sampler <name>', 'KSampler sampler_name, e.g. euler')
        .option('--scheduler <name>', 'KSampler scheduler, e.g. normal')
        .option('--workflow <file>', 'an API-format workflow .json to use instead of the built-in txt2img')
        .option('--timeout <seconds>', 'fail if the image is not done in time (default: COMFYUI_TIMEOUT, 300)', numberOption(1, 86400))
        .option('--overwrite', 'replace the file if it exists'),
    ),
  )
    .addHelpText(
      'after',
      examples(
        'kiln generate --prompt "portrait of a fox knight" --checkpoint v1-5-pruned-emaonly.safetensors',
        'kiln generate --prompt "a misty forest" --checkpoint sd_xl_base_1.0.safetensors --name Forest --seed 42 --out art',
        'kiln generate --prompt "test" --checkpoint v1-5-pruned-emaonly.safetensors --emulator',
      ),
    )
    .action(runAction(async () => (await import('../actions/generate.action.js')).generateAction));

  addJsonOption(
    addServerOptions(
      program
        .command('run')
        .summary('run a batch job file to the end')
        .description(
          'Generate every image of a job file (YAML or JSON). Files are named after the items; files this ' +
            'spec already made are skipped, so a rerun (after Ctrl-C, a crash or a failure) finishes the batch.',
        )
        .argument('<jobfile>', 'job file (.yaml, .yml or .json)')
        .option('--out <dir>', 'output folder (overrides output.dir of the job file)')
        .option('--overwrite', 'replace existing files and regenerate everything (overrides output.overwrite)')
        .option('--dry-run', 'validate and print the plan (item, file, seed, checkpoint); queue nothing'),
    ),
  )
    .addHelpText(
      'after',
      examples(
        'kiln run examples/portraits.yaml --emulator',
        'COMFYUI_BASE_URL=http://gpu-box:8188 kiln run examples/portraits.yaml',
        'kiln run examples/portraits.yaml --dry-run',
        'kiln run jobs.yaml --out renders --overwrite --json > events.jsonl',
      ) +
        '\nExit codes: 0 all done, 1 some items failed, 2 invalid input (spec, flags, checkpoint, file in the way),\n' +
        '            3 ComfyUI or the database unreachable, 130 interrupted (rerun to resume).\n',
    )
    .action(runAction(async () => (await import('../actions/run.action.js')).runAction));

  addJsonOption(
    addServerOptions(
      program
        .command('validate')
        .summary('check a job file and its workflows on the servers; queue nothing')
        .description(
          'Run every check of `kiln run` without queueing anything: the spec, then every workflow it will submit against each ' +
            "server's /object_info (node classes, required inputs, links, bounds, models and other choices), every problem at once.",
        )
        .argument('<jobfile>', 'job file (.yaml, .yml or .json)')
        .addOption(new Option('--offline', 'check only what needs no server (the spec and its workflows\' shape)')),
    ),
  )
    .addHelpText('after', examples('kiln validate examples/portraits.yaml', 'kiln validate examples/portraits.yaml --offline'))
    .action(runAction(async () => (await import('../actions/validate.action.js')).validateAction));

  addJsonOption(
    addServerOptions(
      program
        .command('checkpoints')
        .summary('list the checkpoints the server offers')
        .description('List the checkpoint file names ComfyUI offers (its /models/checkpoints).'),
    ),
  )
    .addHelpText('after', examples('kiln checkpoints', 'kiln checkpoints --server http://gpu-box:8188 --json'))
    .action(runAction(async () => (await import('../actions/checkpoints.action.js')).checkpointsAction));

  addJsonOption(
    addServerOptions(
      program
        .command('models')
        .summary('list the models each server offers, per folder')
        .description(
          'List per server the files its loaders offer: checkpoints, loras, diffusion_models (unet), vae, text_encoders (clip), ' +
            'clip_vision, controlnet, upscale_models, … and input images; read from /object_info.',
        )
        .argument('[folder]', 'only this folder (e.g. loras, unet, vae, clip, controlnet, upscale_models, input)'),
    ),
  )
    .addHelpText('after', examples('kiln models', 'kiln models loras', 'kiln models unet --server http://gpu-a:8188,http://gpu-b:8188 --json'))
    .action(runAction(async () => (await import('../actions/models.action.js')).modelsAction));
}
