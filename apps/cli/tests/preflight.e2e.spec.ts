import * as fs from 'node:fs';
import * as path from 'node:path';
import { comfyUiFixturesDir, startTestEmulator, workflowCorpusDir, type RunningEmulator } from '@kiln/testing';
import { createSandbox, jsonEvents, pngFiles, type Sandbox } from './support/cli-harness';

// The emulator's graph families (Flux, SDXL refiner, SD3.5, hires fix, LoRA chain, ControlNet).
const CORPUS = workflowCorpusDir();

const WORKFLOWS = [
  'workflows:',
  '  lora: { file: sd15-lora-chain.api.json, bind: { prompt: "6.inputs.text" }, output: "9" }',
  '  flux: { file: flux-dev-subgraph.api.json, bind: { prompt: "6.inputs.text", seed: "57:25.inputs.noise_seed" } }',
  '  fp8: { file: flux-fp8-checkpoint.api.json, bind: { prompt: "6.inputs.text" } }',
  '  cn: { file: sd15-controlnet.api.json, bind: { prompt: "6.inputs.text" } }',
  '  hires: { file: sd15-hires-fix.api.json, bind: { prompt: "6.inputs.text", seed: "3.inputs.seed" }, output: "13" }',
  '  sd35: { file: sd35-triple-clip.api.json }',
  '  sdxl: { file: sdxl-base-refiner.api.json, bind: { prompt: "6.inputs.text_g", seed: "10.inputs.noise_seed" } }',
  '  websocket: { file: websocket.api.json, bind: { prompt: "6.inputs.text" }, output: "9" }',
].join('\n');

function spec(items: Array<[name: string, workflow: string]>): string {
  return ['version: 1', 'output: { dir: out }', WORKFLOWS, 'defaults: { seed: 5 }', 'items:', ...items.map(([name, workflow]) => `  - { name: ${name}, workflow: ${workflow}, prompt: ${name.toLowerCase()} }`), ''].join('\n');
}

async function serverQueueAndHistory(emulator: RunningEmulator): Promise<[unknown, unknown]> {
  const queue = (await (await fetch(`${emulator.url}/queue`)).json()) as { queue_running: unknown[]; queue_pending: unknown[] };
  const history = await (await fetch(`${emulator.url}/history`)).json();
  return [[...queue.queue_running, ...queue.queue_pending], history];
}

// img2img (one upload) and inpaint (image and mask uploads), both bound to the graph's LoadImage nodes.
const UPLOAD_ITEMS = [
  '  - { name: Cat, workflow: workflows/sd15-inpaint.api.json, prompt: a cat, image: inputs/photo.png, mask: inputs/mask.png }',
  '  - { name: Dog, workflow: workflows/sdxl-img2img.api.json, prompt: a dog, image: inputs/photo.png, denoise: 0.5 }',
];

/** Two real PNGs from the captured server (different bytes, so two uploads) and the corpus under workflows/. */
function writeInputImages(sandbox: Sandbox): void {
  fs.cpSync(CORPUS, path.join(sandbox.dir, 'workflows'), { recursive: true });
  fs.mkdirSync(path.join(sandbox.dir, 'inputs'));
  fs.copyFileSync(path.join(comfyUiFixturesDir(), 'responses/get_view_output_png.png'), path.join(sandbox.dir, 'inputs/photo.png'));
  fs.copyFileSync(path.join(comfyUiFixturesDir(), 'responses/get_view_inverted_png.png'), path.join(sandbox.dir, 'inputs/mask.png'));
}

/** The input images the server offers LoadImage. */
async function loadImageChoices(emulator: RunningEmulator): Promise<string[]> {
  const info = (await (await fetch(`${emulator.url}/object_info/LoadImage`)).json()) as { LoadImage: { input: { required: { image: [string[]] } } } };
  return info.LoadImage.input.required.image[0];
}

describe('preflight: every workflow checked against the server before anything is queued (built CLI)', () => {
  let sandbox: Sandbox;

  beforeEach(() => {
    sandbox = createSandbox();
    for (const file of fs.readdirSync(CORPUS)) sandbox.write(file, fs.readFileSync(path.join(CORPUS, file), 'utf8'));
    const websocket = JSON.parse(fs.readFileSync(path.join(CORPUS, 'sd15-controlnet.api.json'), 'utf8'));
    websocket['30'] = { class_type: 'SaveImageWebsocket', inputs: { images: ['8', 0] }, _meta: { title: 'Stream it' } };
    sandbox.write('websocket.api.json', JSON.stringify(websocket));
    // One image per job (the corpus's LoRA chain makes a batch of 3), so each item gives one file.
    const lora = JSON.parse(fs.readFileSync(path.join(CORPUS, 'sd15-lora-chain.api.json'), 'utf8'));
    lora['5'].inputs.batch_size = 1;
    sandbox.write('sd15-lora-chain.api.json', JSON.stringify(lora));
  });
  afterEach(() => {
    sandbox.remove();
  });

  it('refuses a LoRA, UNET, VAE and ControlNet the server lacks with exit 2, every problem at once, closest choices first, nothing queued', async () => {
    const server = await startTestEmulator({
      promptDurationMs: 10,
      models: { loras: ['add_detail_v2.safetensors'], diffusion_models: ['flux1-schnell.safetensors'], vae: ['sdxl_vae.safetensors'], controlnet: ['control_v11f1p_sd15_depth.pth'] },
    });
    try {
      sandbox.write('jobs.yaml', spec([['Cabin', 'lora'], ['Fox', 'flux'], ['Bird', 'cn'], ['Castle', 'sdxl']]));

      const run = await sandbox.run(['run', 'jobs.yaml', '--server', server.url]);
      const validate = await sandbox.run(['validate', 'jobs.yaml', '--server', server.url, '--json']);

      expect(run.code).toBe(2);
      expect(run.stderr).toContain('3 of 4 workflow(s) cannot run on the server');
      expect(run.stderr).toContain(`item 'Cabin' on ${server.url}`);
      expect(run.stderr).toContain(`node 10 LoraLoader "Load LoRA (detail)" input lora_name: 'add_detail.safetensors' is not offered by the server (loras); closest: add_detail_v2.safetensors`);
      expect(run.stderr).toContain(`node 57:12 UNETLoader "Load Diffusion Model" input unet_name: 'flux1-dev.safetensors' is not offered by the server (diffusion_models); closest: flux1-schnell.safetensors`);
      expect(run.stderr).toContain(`input vae_name: 'ae.safetensors' is not offered by the server (vae); closest: `);
      expect(run.stderr).toContain(`input control_net_name: 'control_v11p_sd15_canny.pth' is not offered by the server (controlnet); closest: control_v11f1p_sd15_depth.pth`);
      expect(run.stderr).not.toContain("item 'Castle'");
      expect(validate.code).toBe(2);
      const error = jsonEvents(validate.stdout).find((e) => e['event'] === 'error') as { preflight: Array<Record<string, unknown>> };
      expect(error.preflight).toContainEqual(expect.objectContaining({ item: 'Fox', nodeId: '57:12', classType: 'UNETLoader', input: 'unet_name', value: 'flux1-dev.safetensors', choices: ['flux1-schnell.safetensors'] }));
      expect(server.stats().promptsAccepted + server.stats().promptsRejected).toBe(0);
      expect(await serverQueueAndHistory(server)).toEqual([[], {}]);
      expect(pngFiles(path.join(sandbox.dir, 'out'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('names a node class the server lacks, says it needs installing, and queues nothing (run, validate, pipeline start)', async () => {
    const server = await startTestEmulator({ promptDurationMs: 10 });
    try {
      sandbox.write('jobs.yaml', spec([['Stream', 'websocket']]));

      const results = [
        await sandbox.run(['run', 'jobs.yaml', '--server', server.url]),
        await sandbox.run(['validate', 'jobs.yaml', '--server', server.url]),
        await sandbox.run(['pipeline', 'start', 'jobs.yaml', '--server', server.url]),
      ];

      for (const result of results) {
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('node 30 SaveImageWebsocket "Stream it": node class SaveImageWebsocket is not installed on the server (a custom node needs installing there)');
      }
      expect(await serverQueueAndHistory(server)).toEqual([[], {}]);
    } finally {
      await server.close();
    }
  });

  it('generate refuses a checkpoint the server lacks, with the closest first', async () => {
    const server = await startTestEmulator({ checkpoints: ['a.safetensors', 'v1-5-pruned.safetensors'] });
    try {
      const result = await sandbox.run(['generate', '--prompt', 'x', '--checkpoint', 'v1-5-pruned-emaonly.safetensors', '--server', server.url]);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain("input ckpt_name: 'v1-5-pruned-emaonly.safetensors' is not offered by the server (checkpoints); closest: v1-5-pruned.safetensors, a.safetensors");
      expect(server.stats().promptsAccepted).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('in a pool, runs a workflow only some servers can run on those, warning what the others lack', async () => {
    const [full, lacking] = await Promise.all([startTestEmulator({ promptDurationMs: 10 }), startTestEmulator({ promptDurationMs: 10, models: { loras: [] } })]);
    try {
      sandbox.write('jobs.yaml', spec([['Cabin', 'lora'], ['Castle', 'sdxl']]).replace('prompt: cabin }', 'prompt: cabin, count: 3 }'));

      const result = await sandbox.run(['run', 'jobs.yaml', '--server', `${full.url},${lacking.url}`]);

      expect(result.code).toBe(0);
      expect(result.stderr + result.stdout).toContain(`item 'Cabin' runs only on ${full.url}; its jobs will wait for those: ${lacking.url} lacks lora_name 'add_detail.safetensors'`);
      expect(pngFiles(path.join(sandbox.dir, 'out'))).toEqual(['cabin-1.png', 'cabin-2.png', 'cabin-3.png', 'castle.png']);
      for (const file of ['cabin-1.json', 'cabin-2.json', 'cabin-3.json']) {
        expect(JSON.parse(fs.readFileSync(path.join(sandbox.dir, 'out', file), 'utf8')).server).toBe(full.url);
      }
      expect(lacking.stats().promptsRejected).toBe(0);
    } finally {
      await Promise.all([full.close(), lacking.close()]);
    }
  });

  it('validate --offline checks only what needs no server', async () => {
    sandbox.write('jobs.yaml', spec([['Stream', 'websocket']]));

    const result = await sandbox.run(['validate', 'jobs.yaml', '--offline', '--server', 'http://127.0.0.1:9']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('not checked against a server (--offline)');
  });

  it('models lists what each server offers per folder; one folder by name or alias; --json', async () => {
    const server = await startTestEmulator({ models: { loras: ['b.safetensors', 'a.safetensors'], unet: ['flux1-dev.safetensors'] } });
    try {
      const all = await sandbox.run(['models', '--server', server.url]);
      const unet = await sandbox.run(['models', 'unet', '--server', server.url, '--json']);
      const bad = await sandbox.run(['models', 'lorra', '--server', server.url]);

      expect(all.code).toBe(0);
      expect(all.stdout).toContain('loras (2):\n  a.safetensors\n  b.safetensors');
      expect(all.stdout).toContain('checkpoints (');
      expect(all.stdout).toContain('ComfyUI 0.3.64');
      expect(jsonEvents(unet.stdout)[0]['servers']).toEqual([expect.objectContaining({ models: { diffusion_models: ['flux1-dev.safetensors'] } })]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("unknown model folder 'lorra'");
    } finally {
      await server.close();
    }
  });

  it('runs every workflow of the graph corpus end to end through kiln run --emulator', async () => {
    sandbox.write('jobs.yaml', spec([['Cabin', 'lora'], ['Fox', 'flux'], ['Lighthouse', 'fp8'], ['Bird', 'cn'], ['Forest', 'hires'], ['Astronaut', 'sd35'], ['Castle', 'sdxl']]));

    const result = await sandbox.run(['run', 'jobs.yaml', '--emulator'], { timeoutMs: 90_000 });

    expect(result.code).toBe(0);
    expect(pngFiles(path.join(sandbox.dir, 'out'))).toEqual(['astronaut.png', 'bird.png', 'cabin.png', 'castle.png', 'forest.png', 'fox.png', 'lighthouse.png']);
  });

  it('an item\'s image: and mask: are uploads, not missing inputs: img2img and inpaint pass validate and run on a server that does not list them yet', async () => {
    const server = await startTestEmulator({ promptDurationMs: 10 });
    try {
      writeInputImages(sandbox);
      sandbox.write('jobs.yaml', ['version: 1', 'output: { dir: out }', 'defaults: { seed: 5 }', 'items:', ...UPLOAD_ITEMS, ''].join('\n'));
      const before = await loadImageChoices(server);

      const validate = await sandbox.run(['validate', 'jobs.yaml', '--server', server.url]);
      const emulated = await sandbox.run(['run', 'jobs.yaml', '--emulator', '--out', 'emulated'], { timeoutMs: 90_000 });
      const served = await sandbox.run(['run', 'jobs.yaml', '--server', server.url]);

      expect(before).toEqual(['example.png']);
      expect(validate.code).toBe(0);
      expect(validate.stdout).toContain('preflight passed');
      expect(emulated.code).toBe(0);
      expect(pngFiles(path.join(sandbox.dir, 'emulated'))).toEqual(['cat.png', 'dog.png']);
      expect(served.code).toBe(0);
      expect(pngFiles(path.join(sandbox.dir, 'out'))).toEqual(['cat.png', 'dog.png']);
      expect((await loadImageChoices(server)).filter((name) => name.startsWith('kiln-in-'))).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('a misspelt LoadImage value that is not an upload is still caught, with the closest input image', async () => {
    const server = await startTestEmulator({ promptDurationMs: 10 });
    try {
      writeInputImages(sandbox);
      // The item uploads its image but no mask: the mask node keeps the graph's own (misspelt) file.
      const graph = JSON.parse(fs.readFileSync(path.join(CORPUS, 'sd15-inpaint.api.json'), 'utf8'));
      graph['21'].inputs.image = 'exampel.png';
      sandbox.write('workflows/typo-mask.api.json', JSON.stringify(graph));
      sandbox.write(
        'jobs.yaml',
        ['version: 1', 'output: { dir: out }', 'defaults: { seed: 5 }', 'items:', UPLOAD_ITEMS[0], '  - { name: Owl, workflow: workflows/typo-mask.api.json, prompt: an owl, image: inputs/photo.png }', ''].join('\n'),
      );

      const results = [await sandbox.run(['validate', 'jobs.yaml', '--server', server.url]), await sandbox.run(['run', 'jobs.yaml', '--server', server.url])];

      for (const result of results) {
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('1 of 2 workflow(s) cannot run on the server');
        expect(result.stderr).toContain(`item 'Owl' on ${server.url}`);
        expect(result.stderr).toContain(`node 21 LoadImageMask "Load Image (as Mask)" input image: 'exampel.png' is not offered by the server (its input images); closest: example.png`);
        expect(result.stderr).not.toContain('kiln-in-');
      }
      expect(await serverQueueAndHistory(server)).toEqual([[], {}]);
    } finally {
      await server.close();
    }
  });

  it('checks the workflow as submitted: a set: LoRA the server lacks (default or item override) is exit 2 naming the item, the node and the closest choices', async () => {
    const server = await startTestEmulator({ promptDurationMs: 10, models: { loras: ['add_detail.safetensors', 'sdxl_offset_example_lora.safetensors'] } });
    try {
      sandbox.write(
        'jobs.yaml',
        [
          'version: 1',
          'output: { dir: out }',
          WORKFLOWS,
          'defaults: { seed: random, set: { "11.inputs.lora_name": add_detail.safetensors } }',
          'items:',
          '  - { name: Good, workflow: lora, prompt: fine }',
          '  - { name: Bad, workflow: lora, prompt: typo, set: { "11.inputs.lora_name": sdxl_ofset_example_lora.safetensors } }',
          '',
        ].join('\n'),
      );

      const run = await sandbox.run(['run', 'jobs.yaml', '--server', server.url]);

      expect(run.code).toBe(2);
      expect(run.stderr).toContain('1 of 2 workflow(s) cannot run on the server');
      expect(run.stderr).toContain(`item 'Bad' on ${server.url}`);
      expect(run.stderr).toContain(
        `node 11 LoraLoader "Load LoRA (offset)" input lora_name: 'sdxl_ofset_example_lora.safetensors' is not offered by the server (loras); closest: sdxl_offset_example_lora.safetensors, add_detail.safetensors`,
      );
      expect(run.stderr).not.toContain("item 'Good'");
      expect(await serverQueueAndHistory(server)).toEqual([[], {}]);
    } finally {
      await server.close();
    }
  });

  it('reads each server\'s /object_info once per command: UI-format conversion, preflight and the engine share it (run, pipeline start); checkpoints reads it too', async () => {
    const [a, b] = await Promise.all([startTestEmulator({ promptDurationMs: 10 }), startTestEmulator({ promptDurationMs: 10 })]);
    try {
      fs.cpSync(CORPUS, path.join(sandbox.dir, 'workflows'), { recursive: true });
      sandbox.write('jobs.yaml', ['version: 1', 'output: { dir: out }', 'defaults: { seed: random }', 'items:', '  - { name: Ui, workflow: workflows/sd15-txt2img.ui.json, prompt: from the ui, count: 4 }', ''].join('\n'));
      const reads = (server: RunningEmulator) => {
        const routes = server.stats().requestsByRoute;
        return [routes['GET /object_info'] ?? 0, routes['GET /object_info/{node_class}'] ?? 0];
      };

      const run = await sandbox.run(['run', 'jobs.yaml', '--server', `${a.url},${b.url}`]);
      const afterRun = [reads(a), reads(b)];
      const checkpoints = await sandbox.run(['checkpoints', '--server', a.url, '--json']);
      const registered = await sandbox.run(['pipeline', 'start', 'jobs.yaml', '--server', b.url]);

      expect(run.code).toBe(0);
      expect(pngFiles(path.join(sandbox.dir, 'out'))).toEqual(['ui-1.png', 'ui-2.png', 'ui-3.png', 'ui-4.png']);
      expect(afterRun).toEqual([[1, 0], [1, 0]]);
      expect(checkpoints.code).toBe(0);
      expect(jsonEvents(checkpoints.stdout)[0]['checkpoints']).toContain('v1-5-pruned-emaonly.safetensors');
      expect(reads(a)).toEqual([2, 0]);
      // pipeline start converts the UI-format file with the same read its preflight uses.
      expect(registered.code).toBe(0);
      expect(reads(b)).toEqual([2, 0]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
