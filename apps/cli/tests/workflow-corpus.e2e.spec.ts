import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { comfyUiFixturesDir, workflowCorpusDir } from '@kiln/testing';
import { createSandbox, type Sandbox } from './support/cli-harness';

// Every corpus workflow, and what the item must choose for it (outputs of graphs with several).
const ITEMS: Array<{ file: string; extra?: string; files: string[] }> = [
  { file: 'flux-dev-subgraph.api.json', files: ['flux-dev-subgraph.png'] },
  { file: 'flux-fp8-checkpoint.api.json', files: ['flux-fp8-checkpoint.png'] },
  { file: 'flux-schnell-text-encode-flux.api.json', files: ['flux-schnell-text-encode-flux.png'] },
  { file: 'sd15-batch-4.api.json', files: [1, 2, 3, 4].map((k) => `sd15-batch-4-${k}.png`) },
  { file: 'sd15-controlnet-apply-concat.api.json', files: ['sd15-controlnet-apply-concat.png'] },
  { file: 'sd15-controlnet.api.json', extra: 'negative_prompt: lowres, blurry', files: ['sd15-controlnet.png'] },
  {
    file: 'sd15-hires-fix.api.json',
    extra: 'outputs: all',
    files: ['save-image-first-pass', 'save-image-second-pass', 'save-image-model-upscale'].map((node) => `sd15-hires-fix.${node}.png`),
  },
  { file: 'sd15-inpaint.api.json', extra: 'image: inputs/photo.png\n    mask: inputs/mask.png', files: ['sd15-inpaint.png'] },
  {
    file: 'sd15-lora-chain.api.json',
    extra: 'outputs: all\n    set: { "10.inputs.strength_model": 0.5, "11.inputs.lora_name": add_detail.safetensors }',
    files: ['save-image', 'preview-image'].flatMap((node) => [1, 2, 3].map((k) => `sd15-lora-chain.${node}-${k}.png`)),
  },
  { file: 'sd15-model-upscale.api.json', files: ['sd15-model-upscale.png'] },
  { file: 'sd15-post-prompt-body.json', files: ['sd15-post-prompt-body.png'] },
  { file: 'sd15-prompt-from-string.api.json', files: ['sd15-prompt-from-string.png'] },
  { file: 'sd15-save-websocket.api.json', files: ['sd15-save-websocket.png'] },
  { file: 'sd15-txt2img.api.json', extra: 'width: 48\n    height: 40\n    steps: 3\n    cfg: 6.5\n    sampler: dpmpp_2m\n    scheduler: karras', files: ['sd15-txt2img.png'] },
  { file: 'sd35-cfg-guider-combine.api.json', files: ['sd35-cfg-guider-combine.png'] },
  { file: 'sd35-triple-clip.api.json', files: ['sd35-triple-clip.png'] },
  { file: 'sdxl-base-refiner.api.json', extra: 'output: "19"', files: ['sdxl-base-refiner.png'] },
  { file: 'sdxl-img2img.api.json', extra: 'image: inputs/photo.png\n    denoise: 0.45', files: ['sdxl-img2img.png'] },
  { file: 'sdxl-turbo-preview.api.json', extra: 'seed: workflow', files: ['sdxl-turbo-preview.png'] },
];

function specOf(items: typeof ITEMS): string {
  const lines = ['version: 1', 'output: { dir: out }', 'defaults: { seed: 7 }', 'items:'];
  for (const item of items) {
    const name = item.file.replace(/(\.api)?\.json$/, '');
    lines.push(`  - name: ${name}`, `    workflow: workflows/${item.file}`, `    prompt: ${name} prompt`);
    if (item.extra) lines.push(`    ${item.extra}`);
  }
  return `${lines.join('\n')}\n`;
}

function valueAt(workflow: Record<string, { inputs: Record<string, unknown> }>, place: string): unknown {
  const [nodeId, input] = place.split('.inputs.');
  return workflow[nodeId]?.inputs[input];
}

describe('the workflow corpus through kiln run --emulator (built CLI)', () => {
  let sandbox: Sandbox;

  beforeEach(() => {
    sandbox = createSandbox();
    fs.cpSync(workflowCorpusDir(), path.join(sandbox.dir, 'workflows'), { recursive: true });
    // Two real PNGs from the captured server: one as the photo, one as the mask.
    fs.mkdirSync(path.join(sandbox.dir, 'inputs'));
    fs.copyFileSync(path.join(comfyUiFixturesDir(), 'responses/get_view_output_png.png'), path.join(sandbox.dir, 'inputs/photo.png'));
    fs.copyFileSync(path.join(comfyUiFixturesDir(), 'responses/get_view_inverted_png.png'), path.join(sandbox.dir, 'inputs/mask.png'));
  });
  afterEach(() => sandbox.remove());

  it('runs every corpus workflow end to end, keeps every chosen output, and records only values the submitted graph holds where it says', async () => {
    sandbox.write('jobs.yaml', specOf(ITEMS));

    const result = await sandbox.run(['run', 'jobs.yaml', '--emulator'], { timeoutMs: 240_000 });

    expect(result.stderr).not.toMatch(/failed/i);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).toContain('sd15-post-prompt-body.json is a saved POST /prompt body');
    expect(result.stdout).toContain('done sd15-batch-4 → out/sd15-batch-4-1.png');
    expect(result.stdout).toContain('(+3 more: out/sd15-batch-4-2.png, out/sd15-batch-4-3.png, out/sd15-batch-4-4.png)');
    const out = path.join(sandbox.dir, 'out');
    const expected = ITEMS.flatMap((item) => item.files).sort();
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.png')).sort()).toEqual(expected);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'kiln-manifest.json'), 'utf8')) as { files: Record<string, { sha256: string; seed: number; seedMode: string }> };
    expect(Object.keys(manifest.files).sort()).toEqual(expected);

    for (const file of expected) {
      const sidecar = JSON.parse(fs.readFileSync(path.join(out, file.replace(/\.png$/, '.json')), 'utf8'));
      const stored = fs.readFileSync(path.join(out, sidecar.workflow.file));
      expect(createHash('sha256').update(stored).digest('hex')).toBe(sidecar.workflow.sha256);
      expect(createHash('sha256').update(fs.readFileSync(path.join(out, file))).digest('hex')).toBe(manifest.files[file].sha256);
      const workflow = JSON.parse(stored.toString('utf8'));
      // Every recorded parameter sits, with the recorded value, at every place the record names.
      expect(Object.keys(sidecar.placed)).toContain('seed');
      for (const [field, places] of Object.entries(sidecar.placed as Record<string, string[]>)) {
        expect(places.length).toBeGreaterThan(0);
        for (const place of places) expect({ file, field, value: valueAt(workflow, place) }).toEqual({ file, field, value: sidecar[field] });
      }
      for (const [place, value] of Object.entries((sidecar.set ?? {}) as Record<string, unknown>)) {
        expect({ file, place, value: valueAt(workflow, place) }).toEqual({ file, place, value });
      }
      expect(manifest.files[file].seed).toBe(sidecar.seed);
    }

    const batch = JSON.parse(fs.readFileSync(path.join(out, 'sd15-batch-4-3.json'), 'utf8'));
    expect(batch.output).toEqual({ nodeId: '9', batchIndex: 2, batchSize: 4, seedShared: true });
    // SaveImageWebsocket: the image came as a binary WebSocket frame; ComfyUI has no file of it.
    const socket = JSON.parse(fs.readFileSync(path.join(out, 'sd15-save-websocket.json'), 'utf8'));
    expect(socket).toMatchObject({ comfyuiWebSocket: true, output: { nodeId: '10', batchIndex: 0, batchSize: 1 } });
    expect(socket.comfyuiFile).toBeUndefined();
    const turbo = JSON.parse(fs.readFileSync(path.join(out, 'sdxl-turbo-preview.json'), 'utf8'));
    expect({ seed: turbo.seed, seedMode: turbo.seedMode, mode: manifest.files['sdxl-turbo-preview.png'].seedMode }).toEqual({ seed: 556007, seedMode: 'workflow', mode: 'workflow' });
    // Input files: uploaded under a name made from their sha256, bound to LoadImage/LoadImageMask, recorded.
    const sha = (file: string) => createHash('sha256').update(fs.readFileSync(path.join(sandbox.dir, file))).digest('hex');
    const inpaint = JSON.parse(fs.readFileSync(path.join(out, 'sd15-inpaint.json'), 'utf8'));
    const inpaintGraph = JSON.parse(fs.readFileSync(path.join(out, inpaint.workflow.file), 'utf8'));
    expect(inpaintGraph['20'].inputs.image).toBe(`kiln-in-${sha('inputs/photo.png').slice(0, 32)}.png`);
    expect(inpaintGraph['21'].inputs.image).toBe(`kiln-in-${sha('inputs/mask.png').slice(0, 32)}.png`);
    expect(manifest.files['sd15-inpaint.png']).toMatchObject({ inputs: { image: sha('inputs/photo.png'), mask: sha('inputs/mask.png') } });
    expect(inpaint).toMatchObject({ imageSha256: sha('inputs/photo.png'), maskSha256: sha('inputs/mask.png') });
    const img2img = JSON.parse(fs.readFileSync(path.join(out, 'sdxl-img2img.json'), 'utf8'));
    expect(img2img.denoise).toBe(0.45);
    expect(img2img.placed.denoise).toEqual(['3.inputs.denoise']);
    const txt = JSON.parse(fs.readFileSync(path.join(out, 'sd15-txt2img.json'), 'utf8'));
    expect(txt).toMatchObject({ width: 48, height: 40, steps: 3, cfg: 6.5, sampler: 'dpmpp_2m', scheduler: 'karras' });
  }, 300_000);

  it('refuses, before queueing anything, a graph with several outputs and no choice, and a negative the graph cannot take', async () => {
    sandbox.write('jobs.yaml', specOf([
      { file: 'sd15-hires-fix.api.json', files: [] },
      { file: 'sd35-triple-clip.api.json', extra: 'negative_prompt: blurry', files: [] },
    ]));

    const result = await sandbox.run(['validate', 'jobs.yaml', '--offline']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('items[0].workflow: workflow workflows/sd15-hires-fix.api.json has several image output nodes (9 SaveImage "Save Image (first pass)"');
    expect(result.stderr).toContain('items[1].negative_prompt: cannot be used with workflow workflows/sd35-triple-clip.api.json: the negative conditioning ends in ConditioningZeroOut');
  });

  it('with the server\'s /object_info, counts any output_node with an IMAGE input as an image output; offline, the class names', async () => {
    // sd15-txt2img plus SaveAnimatedPNG: an output node with an IMAGE input whose name the offline rule does not know.
    const graph = JSON.parse(fs.readFileSync(path.join(workflowCorpusDir(), 'sd15-txt2img.api.json'), 'utf8'));
    graph['30'] = { class_type: 'SaveAnimatedPNG', inputs: { images: ['8', 0], filename_prefix: 'anim', fps: 6, compress_level: 4 }, _meta: { title: 'Animated' } };
    sandbox.write('workflows/two-savers.api.json', JSON.stringify(graph));
    sandbox.write('jobs.yaml', 'version: 1\noutput: { dir: out }\ndefaults: { seed: 7 }\nitems:\n  - { name: two, workflow: workflows/two-savers.api.json, prompt: p }\n');

    const offline = await sandbox.run(['validate', 'jobs.yaml', '--offline']);
    const online = await sandbox.run(['validate', 'jobs.yaml', '--emulator']);

    expect(offline.code).toBe(0);
    expect(online.code).toBe(2);
    expect(online.stderr).toContain('items[0].workflow: workflow workflows/two-savers.api.json has several image output nodes (9 SaveImage "Save Image"; 30 SaveAnimatedPNG "Animated")');

    // kiln pipeline start asks the server too (it checks the checkpoints there).
    sandbox.write('pipeline.yaml', 'version: 1\noutput: { dir: out }\ndefaults: { seed: 7 }\nsteps:\n  - { name: two, workflow: workflows/two-savers.api.json, prompt: p, count: 1 }\n');
    const start = await sandbox.run(['pipeline', 'start', 'pipeline.yaml', '--emulator']);
    expect(start.code).toBe(2);
    expect(start.stderr).toContain('steps[0].workflow: workflow workflows/two-savers.api.json has several image output nodes');
  });

  it('converts UI-format files with the server\'s /object_info on run, and says offline that it needs a server', async () => {
    const files = fs.readdirSync(workflowCorpusDir()).filter((f) => f.endsWith('.ui.json')).sort();
    const lines = ['version: 1', 'output: { dir: out }', 'defaults: { seed: 7 }', 'items:'];
    for (const file of files) lines.push(`  - { name: ${file.replace('.ui.json', '')}, workflow: workflows/${file}, prompt: from the ui${file.startsWith('sdxl-base-refiner') ? ', output: "19"' : ''} }`);
    sandbox.write('jobs.yaml', `${lines.join('\n')}\n`);

    const offline = await sandbox.run(['validate', 'jobs.yaml', '--offline']);
    const run = await sandbox.run(['run', 'jobs.yaml', '--emulator'], { timeoutMs: 120_000 });

    expect(offline.code).toBe(2);
    expect(offline.stderr).toContain('workflows/sd15-txt2img.ui.json is a UI-format workflow (ComfyUI\'s "Save"); converting it needs the server\'s /object_info');
    expect(offline.stderr).toContain('export it with "Save (API)"');
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).toContain('converted to the API format with the server\'s /object_info');
    const out = path.join(sandbox.dir, 'out');
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.png')).sort()).toEqual(files.map((f) => f.replace('.ui.json', '.png')));
    const sidecar = JSON.parse(fs.readFileSync(path.join(out, 'sd15-txt2img.json'), 'utf8'));
    const ran = JSON.parse(fs.readFileSync(path.join(out, sidecar.workflow.file), 'utf8'));
    expect(ran['6'].inputs.text).toBe('from the ui');
    expect(ran['3'].inputs.seed).toBe(sidecar.seed);
  }, 180_000);
});
