// The bench's own programs, bundled like the apps (tools/build/build-app.cjs) into dist/bench/loops.js:
//   naive  — the simplest correct loop with Kiln's ComfyUiClient: submit, wait for the WebSocket
//            "done", read history, download, write the file atomically, next.
//   seed   — the seed's design with its default cadence scaled down: a submit tick posts one prompt,
//            then sleeps SUBMIT; a poll tick asks about every prompt in flight, then sleeps POLL.
//   engine — Kiln's JobEngine in a process of its own on one run made from a job file (options the
//            worker does not expose, e.g. polling only).
// Each prints one JSON line on stdout at the end.
import 'reflect-metadata';
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ComfyUiClient, JobEngine, comfyUiEntities, comfyUiMigrations, type HistoryEntry, type Workflow } from '@kiln/comfyui';
import { openDatabase } from '@kiln/database';
import { jobSpecToPipelineRunInput, parseJobSpec } from '@kiln/job-orchestration';
import { createPipelineRun, pipelineEntities, pipelineMigrations } from '@kiln/pipeline';
import { loadSettings } from '@kiln/settings';
import { readFileSync } from 'node:fs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    server: { type: 'string' },
    count: { type: 'string', default: '10' },
    out: { type: 'string' },
    'submit-ms': { type: 'string', default: '10000' },
    'poll-ms': { type: 'string', default: '5000' },
    events: { type: 'string', default: 'on' },
    spec: { type: 'string' },
    'data-dir': { type: 'string' },
  },
});

function workflow(i: number): Workflow {
  return {
    '3': { class_type: 'KSampler', inputs: { seed: 1000 + i, steps: 1, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: `baseline prompt ${i}`, clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: `baseline/${i}`, images: ['8', 0] } },
  } as unknown as Workflow;
}

function firstImage(entry: HistoryEntry): { filename: string; subfolder: string; type: 'output' } {
  for (const output of Object.values(entry.outputs ?? {})) {
    const images = (output as { images?: Array<{ filename: string; subfolder: string; type: 'output' }> }).images;
    if (images?.length) return images[0];
  }
  throw new Error('no image in history');
}

async function save(client: ComfyUiClient, entry: HistoryEntry, out: string, i: number): Promise<void> {
  const bytes = await client.downloadOutput(firstImage(entry));
  const target = join(out, `${i}.png`);
  writeFileSync(`${target}.part`, bytes);
  renameSync(`${target}.part`, target);
}

async function naive(): Promise<unknown> {
  const client = new ComfyUiClient({ baseUrl: values.server as string });
  const out = values.out as string;
  mkdirSync(out, { recursive: true });
  const events = client.openEvents();
  await events.waitUntilReady(10_000);
  const count = Number(values.count);
  for (let i = 0; i < count; i++) {
    const promptId = crypto.randomUUID();
    const done = new Promise<void>((resolve) => {
      const onExecuting = (e: { data: { node: string | null; prompt_id?: string } }) => {
        if (e.data.node === null && e.data.prompt_id === promptId) {
          events.off('executing', onExecuting);
          resolve();
        }
      };
      events.on('executing', onExecuting);
    });
    await client.submitPrompt(workflow(i), { promptId });
    await done;
    const entry = await client.getHistory(promptId);
    if (!entry) throw new Error(`no history for ${promptId}`);
    await save(client, entry, out, i);
  }
  await events.close();
  return { done: count };
}

async function seedLoop(): Promise<unknown> {
  const client = new ComfyUiClient({ baseUrl: values.server as string });
  const out = values.out as string;
  mkdirSync(out, { recursive: true });
  const count = Number(values.count);
  const submitMs = Number(values['submit-ms']);
  const pollMs = Number(values['poll-ms']);
  const inFlight = new Map<string, number>();
  let submitted = 0;
  let done = 0;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const submitter = (async () => {
    while (submitted < count) {
      const promptId = crypto.randomUUID();
      await client.submitPrompt(workflow(submitted), { promptId });
      inFlight.set(promptId, submitted++);
      await sleep(submitMs);
    }
  })();
  const poller = (async () => {
    while (done < count) {
      await sleep(pollMs);
      for (const [promptId, i] of [...inFlight]) {
        const status = await client.getPromptStatus(promptId);
        if (status.state === 'completed') {
          await save(client, status.history, out, i);
          inFlight.delete(promptId);
          done++;
        } else if (status.state === 'failed' || status.state === 'unknown') throw new Error(`prompt ${promptId}: ${status.state}`);
      }
    }
  })();
  await Promise.all([submitter, poller]);
  return { done };
}

async function engineRun(): Promise<unknown> {
  const specFile = values.spec as string;
  const parsed = parseJobSpec(readFileSync(specFile, 'utf8'), { baseDir: join(specFile, '..'), sourceName: specFile });
  if (!parsed.ok) throw new Error(parsed.message);
  const settings = loadSettings(process.env, { cwd: process.cwd() });
  const db = await openDatabase({
    url: settings.databaseUrl,
    dataDir: values['data-dir'] ?? settings.dataDir,
    entities: [...pipelineEntities, ...comfyUiEntities],
    migrations: [...pipelineMigrations, ...comfyUiMigrations],
  });
  const run = await createPipelineRun(db.dataSource.manager, jobSpecToPipelineRunInput(parsed.spec, { name: 'bench' }));
  const engine = new JobEngine({
    dataSource: db.dataSource,
    servers: (values.server as string).split(','),
    runId: run.id,
    pollIntervalMs: Number(values['poll-ms']),
    submitIntervalMs: Number(values['submit-ms']),
    defaultTimeoutSeconds: settings.defaultTimeoutSeconds,
    useEvents: values.events !== 'off',
    exclusive: db.kind === 'embedded',
  });
  const started = Date.now();
  await engine.start();
  const summary = await engine.whenRunSettled(run.id);
  const wallMs = Date.now() - started;
  await engine.stop();
  await db.close();
  return { runId: run.id, completed: summary.completed, failed: summary.failed.length, wallMs };
}

const programs: Record<string, () => Promise<unknown>> = { naive, seed: seedLoop, engine: engineRun };
const program = programs[positionals[0] ?? ''];
if (!program) {
  process.stderr.write(`usage: loops.js naive|seed|engine --server URL …\n`);
  process.exit(2);
}
program().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
