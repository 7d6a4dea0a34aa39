import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { comfyUiEntities, comfyUiMigrations } from '@kiln/comfyui';
import { openDatabase } from '@kiln/database';
import { pipelineEntities, pipelineMigrations } from '@kiln/pipeline';
import { startTestEmulator, workflowCorpusDir, type RunningEmulator } from '@kiln/testing';
import { batchSpec, createSandbox, type Sandbox } from './support/cli-harness';

// `kiln validate`, `kiln run` and `kiln pipeline start` go through one check: a spec validate
// accepts, run accepts, and a spec one refuses, all refuse with the same message (exit 2) before
// anything is queued or registered.

interface BadSpec {
  /** Writes the spec (and its files) into the sandbox; returns the spec's path relative to it. */
  write(sandbox: Sandbox): string;
  /** A part of the message both commands must print. */
  says: string;
  env?: NodeJS.ProcessEnv;
}

const CORPUS = workflowCorpusDir();
const copyWorkflow = (sandbox: Sandbox, name: string, edit: (graph: Record<string, { inputs: Record<string, unknown> }>) => void = () => undefined) => {
  const graph = JSON.parse(fs.readFileSync(path.join(CORPUS, name), 'utf8'));
  edit(graph);
  sandbox.write(name, JSON.stringify(graph));
};

const BAD_SPECS: Record<string, BadSpec> = {
  "file names that collide through a workflow's batch_size": {
    write(sandbox) {
      // The LoRA chain's latent makes a batch of 3: Cabin writes cabin-1.png … cabin-3.png.
      copyWorkflow(sandbox, 'sd15-lora-chain.api.json');
      return sandbox.write(
        'jobs.yaml',
        [
          'version: 1',
          'output: { dir: out }',
          'workflows:',
          '  lora: { file: sd15-lora-chain.api.json, bind: { prompt: "6.inputs.text" }, output: "9" }',
          'defaults: { seed: 5, workflow: lora }',
          'items:',
          '  - { name: Cabin, prompt: a cabin }',
          '  - { name: Cabin 2, prompt: another cabin, set: { "5.inputs.batch_size": 1 } }',
          '',
        ].join('\n'),
      );
    },
    says: 'items[1].name: makes cabin-2.png, which items[0] "Cabin" also makes (batch_size 3 of its workflow): one image would replace the other',
  },
  'more images than KILN_MAX_IMAGES': {
    write: (sandbox) => sandbox.write('jobs.yaml', batchSpec(4)),
    env: { KILN_MAX_IMAGES: '3' },
    says: 'items: asks for 4 images, over the limit of 3 per spec; fix: split the job file, or raise the limit with KILN_MAX_IMAGES=4',
  },
  'a bind path into a prototype key': {
    write(sandbox) {
      copyWorkflow(sandbox, 'sd15-txt2img.api.json');
      return sandbox.write(
        'jobs.yaml',
        'version: 1\noutput: { dir: out }\nworkflows:\n  mine: { file: sd15-txt2img.api.json, bind: { seed: "__proto__.inputs.seed" } }\nitems:\n  - { name: A, workflow: mine, prompt: a, seed: 1 }\n',
      );
    },
    says: 'workflows.mine.bind.seed: "__proto__.inputs.seed" names',
  },
  'a seed the workflow computes, so it cannot be placed': {
    write(sandbox) {
      copyWorkflow(sandbox, 'sd15-txt2img.api.json', (graph) => {
        graph['3'].inputs['seed'] = ['99', 0];
        Object.assign(graph, { '98': { class_type: 'Clock', inputs: {} }, '99': { class_type: 'SeedFromClock', inputs: { salt: 3, clock: ['98', 0] } } });
      });
      return sandbox.write('jobs.yaml', 'version: 1\noutput: { dir: out }\nitems:\n  - { name: A, workflow: sd15-txt2img.api.json, prompt: a, seed: 1 }\n');
    },
    says: 'items[0].seed: cannot be placed in workflow sd15-txt2img.api.json (3 KSampler takes "seed" from 99 SeedFromClock, which computes it), so the recorded seed would not be the one used',
  },
  'an output folder that is a file': {
    write(sandbox) {
      sandbox.write('out', 'not a folder');
      return sandbox.write('jobs.yaml', batchSpec(1));
    },
    says: 'output.dir: OUT is a file, not a folder',
  },
  'a FIFO as input image': {
    write(sandbox) {
      copyWorkflow(sandbox, 'sdxl-img2img.api.json');
      fs.mkdirSync(path.join(sandbox.dir, 'inputs'));
      execFileSync('mkfifo', [path.join(sandbox.dir, 'inputs/photo.png')]);
      return sandbox.write('jobs.yaml', 'version: 1\noutput: { dir: out }\nitems:\n  - { name: Dog, workflow: sdxl-img2img.api.json, prompt: a dog, image: inputs/photo.png, seed: 1 }\n');
    },
    says: 'items[0].image: cannot read DIR/inputs/photo.png: it is not a regular file (a folder, FIFO or device) (got "inputs/photo.png"); fix: check the path',
  },
  "an item whose sidecar would replace the batch's manifest": {
    write: (sandbox) => sandbox.write('jobs.yaml', batchSpec(1).replace('name: Item 1', 'name: Kiln Manifest')),
    says: "item 'Kiln Manifest' would write its sidecar over kiln-manifest.json, the batch's manifest; nothing was queued\n  fix: rename the item",
  },
};

/** The error a command printed: from `error: ` to the end (the emulator's notice comes before it). */
function errorOf(stderr: string): string {
  const at = stderr.indexOf('error: ');
  return at < 0 ? `(no error; stderr: ${stderr})` : stderr.slice(at).trim();
}

describe('validate and run share one check of the spec (built CLI)', () => {
  let server: RunningEmulator;

  beforeAll(async () => {
    server = await startTestEmulator({ promptDurationMs: 10 });
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(Object.entries(BAD_SPECS))('%s: validate, run and pipeline start all exit 2 with the same message; nothing queued', async (_name, bad) => {
    const sandbox = createSandbox();
    try {
      const file = path.relative(sandbox.dir, bad.write(sandbox));
      const before = server.stats();

      const validate = await sandbox.run(['validate', file, '--emulator'], { env: bad.env });
      const run = await sandbox.run(['run', file, '--emulator'], { env: bad.env });
      const runOnServer = await sandbox.run(['run', file, '--server', server.url], { env: bad.env });
      const start = await sandbox.run(['pipeline', 'start', file, '--emulator'], { env: bad.env });

      const expected = bad.says.replace('OUT', path.join(sandbox.dir, 'out')).replace('DIR', sandbox.dir);
      expect({ code: validate.code, error: errorOf(validate.stderr) }).toEqual({ code: 2, error: expect.stringContaining(expected) });
      expect({ code: run.code, error: errorOf(run.stderr) }).toEqual({ code: 2, error: errorOf(validate.stderr) });
      expect({ code: runOnServer.code, error: errorOf(runOnServer.stderr) }).toEqual({ code: 2, error: errorOf(validate.stderr) });
      expect({ code: start.code, error: errorOf(start.stderr) }).toEqual({ code: 2, error: errorOf(validate.stderr) });
      const after = server.stats();
      expect(after.promptsAccepted + after.promptsRejected).toBe(before.promptsAccepted + before.promptsRejected);
      expect(after.requestsByRoute['POST /upload/image'] ?? 0).toBe(before.requestsByRoute['POST /upload/image'] ?? 0);
      expect(await rowsOf(sandbox, ['comfyui_jobs', 'pipeline_runs'])).toEqual({ comfyui_jobs: 0, pipeline_runs: 0 });
    } finally {
      sandbox.remove();
    }
  });

  it('accepts in both what it accepts in one (a spec that passes validate runs)', async () => {
    const sandbox = createSandbox();
    try {
      sandbox.write('jobs.yaml', batchSpec(2));

      const validate = await sandbox.run(['validate', 'jobs.yaml', '--server', server.url]);
      const run = await sandbox.run(['run', 'jobs.yaml', '--server', server.url]);

      expect([validate.code, run.code]).toEqual([0, 0]);
    } finally {
      sandbox.remove();
    }
  });
});

/** Rows of each table in the sandbox's embedded database (opened once the commands have ended). */
async function rowsOf(sandbox: Sandbox, tables: string[]): Promise<Record<string, number>> {
  const db = await openDatabase({
    dataDir: sandbox.env['KILN_DATA_DIR'] as string,
    entities: [...pipelineEntities, ...comfyUiEntities],
    migrations: [...pipelineMigrations, ...comfyUiMigrations],
    migrate: false,
  });
  try {
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = Number((await db.dataSource.query(`SELECT count(*) AS n FROM ${table}`))[0].n);
    return counts;
  } finally {
    await db.close();
  }
}
