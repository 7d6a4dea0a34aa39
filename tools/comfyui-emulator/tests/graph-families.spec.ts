import { decodePng } from '../src/image/png-decoder';
import { startEmulator, type RunningEmulator } from '../src/index';
import { RecordingSocket } from './support/client';
import { loadTestWorkflow, runWorkflow, viewAll } from './support/run-workflow';

function sizes(images: Buffer[]): Array<[number, number]> {
  return images.map((png) => {
    const decoded = decodePng(png);
    return [decoded?.width ?? 0, decoded?.height ?? 0];
  });
}

function pixels(png: Buffer): Buffer {
  return Buffer.from(decodePng(png)?.rgb ?? []);
}

// Each family runs end to end through the HTTP API on the default model set, twice on two
// separate emulators, and must give byte-identical images of the size its graph implies.
// Pixels are rendered in JavaScript, so a busy machine gets more than jest's default 5 s.
const RENDER_TIMEOUT_MS = 30000;

describe('graph families on the default models', () => {
  let first: RunningEmulator;
  let second: RunningEmulator;

  beforeAll(async () => {
    [first, second] = await Promise.all([startEmulator(), startEmulator()]);
  });

  afterAll(() => Promise.all([first.close(), second.close()]));

  it.each([
    ['flux-dev-subgraph', { '9': [[128, 96]] }],
    ['flux-fp8-checkpoint', { '9': [[96, 96]] }],
    ['sdxl-base-refiner', { '19': [[128, 128]] }],
    ['sd35-triple-clip', { '9': [[112, 80]] }],
    ['sd15-lora-chain', { '9': [[64, 64], [64, 64], [64, 64]], '20': [[64, 64], [64, 64], [64, 64]] }],
    ['sd15-controlnet', { '9': [[64, 64]] }],
    ['sd15-hires-fix', { '9': [[32, 24]], '13': [[64, 48]], '17': [[128, 96]] }],
  ])('runs %s end to end with the same bytes on every run', async (name, expected) => {
    const workflow = loadTestWorkflow(name);

    const a = await runWorkflow(first.url, workflow);
    const b = await runWorkflow(second.url, workflow);

    expect([a.status, b.status]).toEqual(['success', 'success']);
    const imagesA = await viewAll(first.url, a);
    const imagesB = await viewAll(second.url, b);
    expect(Object.fromEntries(Object.entries(imagesA).map(([node, images]) => [node, sizes(images)]))).toEqual(expected);
    for (const node of Object.keys(imagesA)) {
      expect(imagesA[node].map((png) => png.toString('base64'))).toEqual(imagesB[node].map((png) => png.toString('base64')));
    }
  }, RENDER_TIMEOUT_MS);

  it('lets the noise seed and the prompt text reach a Flux picture through noise, guider and conditioning tokens', async () => {
    const base = loadTestWorkflow('flux-dev-subgraph');
    const reseeded = loadTestWorkflow('flux-dev-subgraph');
    reseeded['57:25'].inputs.noise_seed = 1;
    const reworded = loadTestWorkflow('flux-dev-subgraph');
    reworded['6'].inputs.text = 'a blue fox in the snow';

    const runs = [];
    for (const workflow of [base, reseeded, reworded]) runs.push(await runWorkflow(first.url, workflow));

    const pictures = await Promise.all(runs.map(async (run) => pixels((await viewAll(first.url, run))['9'][0])));
    expect(pictures[0].equals(pictures[1])).toBe(false);
    expect(pictures[0].equals(pictures[2])).toBe(false);
    expect(pictures[1].equals(pictures[2])).toBe(false);
  });

  it('gives batch_size distinct images and writes PreviewImage outputs as type temp', async () => {
    const run = await runWorkflow(first.url, loadTestWorkflow('sd15-lora-chain'));

    const images = await viewAll(first.url, run);
    const saved = images['9'].map(pixels);
    expect(new Set(saved.map((p) => p.toString('base64'))).size).toBe(3);
    expect(run.outputs['20'].images.map((image) => image.type)).toEqual(['temp', 'temp', 'temp']);
    expect(run.outputs['20'].images[0].filename).toMatch(/^ComfyUI_temp_[a-z]{5}_00001_\.png$/);
    expect(images['20'].map(pixels)).toEqual(saved);
  });

  it('reports sampler progress from the scheduler steps in a SamplerCustomAdvanced graph', async () => {
    const workflow = loadTestWorkflow('flux-dev-subgraph');
    workflow['6'].inputs.text = 'progress check';
    const socket = await RecordingSocket.open(first.url, 'progress-client');
    try {
      const run = await runWorkflow(first.url, workflow, 'progress-client');
      await socket.waitForDone(run.promptId);

      const progress = socket.forPrompt(run.promptId).filter((m) => m.type === 'progress');
      expect(progress.map((m) => [m.data.node, m.data.value, m.data.max])).toEqual([
        ['57:13', 1, 4], ['57:13', 2, 4], ['57:13', 3, 4], ['57:13', 4, 4],
      ]);
    } finally {
      await socket.close();
    }
  });
});
