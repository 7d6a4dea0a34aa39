import { Option, type Command } from 'commander';
import type { ActionRunner } from './action-runner';
import { addJsonOption, addServerOptions, examples } from './shared-options';

/** `kiln pipeline …`, `kiln candidates …`, `kiln jobs …`: runs that `worker:serve` works on. */
export function registerPipelineCommands(program: Command, runAction: ActionRunner): void {
  const pipeline = program
    .command('pipeline')
    .summary('register and inspect pipeline runs for the worker')
    .description('Pipeline runs are worked on by `nx run worker:serve`; these commands register and inspect them.')
    .addHelpText('after', examples('kiln pipeline start examples/pipeline.yaml', 'kiln pipeline status', 'kiln pipeline status <run id>'));

  addJsonOption(
    addServerOptions(
      pipeline
        .command('start')
        .description('Validate a job file (spec and checkpoints) and register it as a pipeline run for the worker.')
        .argument('<jobfile>', 'job file with steps (or items)')
        .option('--no-check-checkpoints', 'do not check the workflows against the servers (models, node classes, values)'),
    ),
  )
    .addHelpText('after', examples('kiln pipeline start examples/pipeline.yaml', 'nx run worker:serve   # then let the worker generate'))
    .action(runAction(async () => (await import('../actions/pipeline.actions.js')).pipelineStartAction));

  addJsonOption(
    pipeline
      .command('status')
      .description('Without RUN: every run with its progress. With RUN: its steps, candidates and jobs.')
      .argument('[run]', 'run id (a unique prefix is enough)'),
  )
    .addHelpText('after', examples('kiln pipeline status', 'kiln pipeline status 3f2a', 'kiln pipeline status --json'))
    .action(runAction(async () => (await import('../actions/pipeline.actions.js')).pipelineStatusAction));

  const candidates = program
    .command('candidates')
    .summary('list, select and reject image candidates of a pipeline run')
    .description('Candidates are the images of a pipeline run; selecting one makes the worker generate its children.');

  addJsonOption(
    candidates
      .command('list')
      .description("List a run's candidates (id, step, generation, status, seed, file).")
      .argument('<run>', 'run id (a unique prefix is enough)')
      .addOption(new Option('--status <status>', 'only candidates in this status').choices(['new', 'selected', 'rejected'])),
  )
    .addHelpText('after', examples('kiln candidates list 3f2a', 'kiln candidates list 3f2a --status selected'))
    .action(runAction(async () => (await import('../actions/pipeline.actions.js')).candidatesListAction));

  addJsonOption(candidates.command('select').description('Select candidates: the worker generates their children.').argument('<id...>', 'candidate ids'))
    .addHelpText('after', examples('kiln candidates select 0b6c1f0e-… 9d1e…'))
    .action(runAction(async () => (await import('../actions/pipeline.actions.js')).candidatesSelectAction));

  addJsonOption(candidates.command('reject').description('Reject candidates: they get no (further) children.').argument('<id...>', 'candidate ids'))
    .addHelpText('after', examples('kiln candidates reject 0b6c1f0e-…'))
    .action(runAction(async () => (await import('../actions/pipeline.actions.js')).candidatesRejectAction));

  const jobs = program.command('jobs').summary('retry failed jobs').description('ComfyUI jobs of pipeline runs and batches.');
  addJsonOption(jobs.command('retry').description('Put failed jobs back in the queue; the worker (or a rerun of the batch) picks them up.').argument('<id...>', 'job ids'))
    .addHelpText('after', examples('kiln jobs retry 5c0d…', 'kiln pipeline status <run> --json   # failed job ids are listed there'))
    .action(runAction(async () => (await import('../actions/pipeline.actions.js')).jobsRetryAction));
}
