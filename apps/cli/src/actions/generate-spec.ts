import * as path from 'node:path';
import { slugify } from '@kiln/job-orchestration';
import type { SpecSource } from '../batch/load-spec';
import type { GenerateOptions } from '../commands/option-types';
import { CliError } from '../errors';
import { nameFromPrompt } from './name-from-prompt';

/** `kiln generate`'s flags as a one-item job spec, to be checked exactly like a job file. */
export function generateSpecSource(options: GenerateOptions, cwd: string): SpecSource {
  const name = options.name ?? nameFromPrompt(options.prompt);
  if (!slugify(name)) {
    throw new CliError('INVALID_INPUT', `cannot make a file name from '${name}': give --name with some letters or digits`);
  }
  const item: Record<string, unknown> = {
    name,
    prompt: options.prompt,
    checkpoint: options.checkpoint,
    seed: options.seed ?? 'random',
    negative_prompt: options.negative,
    width: options.width,
    height: options.height,
    steps: options.steps,
    cfg: options.cfg,
    sampler: options.sampler,
    scheduler: options.scheduler,
    // Relative to the workflow's own folder, which becomes the spec's base folder below.
    workflow: options.workflow ? path.basename(options.workflow) : undefined,
    timeout: options.timeout,
  };
  const data = {
    version: 1,
    output: { dir: path.resolve(cwd, options.out), overwrite: options.overwrite === true },
    items: [Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined))],
  };
  const baseDir = options.workflow ? path.dirname(path.resolve(cwd, options.workflow)) : cwd;
  return { data, baseDir, sourceName: 'kiln generate flags' };
}
