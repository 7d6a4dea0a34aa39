import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodePng } from '../src/image/png-decoder';
import { startEmulator, type RunningEmulator } from '../src/index';
import { RecordingSocket, postJson, waitForHistory } from './support/client';
import { loadWorkflow, workflowFile } from './support/fixtures';
import { img2img, txt2img } from './support/workflows';

interface SavedImage {
  filename: string;
  subfolder: string;
  type: string;
}

async function runToHistory(base: string, prompt: unknown, clientId?: string) {
  const response = await postJson(`${base}/prompt`, { prompt, client_id: clientId });
  expect(response.status).toBe(200);
  const { prompt_id: promptId } = response.json<{ prompt_id: string }>();
  const entry = await waitForHistory(base, promptId);
  return { promptId, entry: entry as { outputs: Record<string, { images: SavedImage[] }>; status: { status_str: string; messages: Array<[string, Record<string, unknown>]> } } };
}

async function savedBytes(emulator: RunningEmulator, image: SavedImage): Promise<Buffer> {
  return fs.readFileSync(path.join(emulator.outputDir, image.subfolder, image.filename));
}

describe('prompt execution', () => {
  let emulator: RunningEmulator;
  let base: string;

  beforeEach(async () => {
    emulator = await startEmulator();
    base = emulator.url;
  });

  afterEach(() => emulator.close());

  it('renders txt2img deterministically: same inputs give the same bytes, a new seed other pixels', async () => {
    const other = await startEmulator();
    try {
      const first = await runToHistory(base, txt2img({ seed: 1 }));
      const twin = await runToHistory(other.url, txt2img({ seed: 1 }));
      const reseeded = await runToHistory(base, txt2img({ seed: 2 }));

      const a = await savedBytes(emulator, first.entry.outputs['9'].images[0]);
      const b = await savedBytes(other, twin.entry.outputs['9'].images[0]);
      const c = await savedBytes(emulator, reseeded.entry.outputs['9'].images[0]);
      expect(a.equals(b)).toBe(true);
      expect(Buffer.from(decodePng(a)?.rgb ?? []).equals(Buffer.from(decodePng(c)?.rgb ?? []))).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('embeds the API prompt as a tEXt chunk and honours the latent size', async () => {
    const { entry } = await runToHistory(base, txt2img({ width: 128, text: 'fox' }));

    const png = decodePng(await savedBytes(emulator, entry.outputs['9'].images[0]));

    expect([png?.width, png?.height]).toEqual([128, 64]);
    expect(JSON.parse(png?.text.prompt ?? '{}')['6'].inputs.text).toBe('fox');
  });

  it('lets the prompt text change the picture', async () => {
    const fox = await runToHistory(base, txt2img({ text: 'fox', prefix: 'a' }));
    const owl = await runToHistory(base, txt2img({ text: 'owl', prefix: 'b' }));

    const foxPixels = decodePng(await savedBytes(emulator, fox.entry.outputs['9'].images[0]))?.rgb ?? [];
    const owlPixels = decodePng(await savedBytes(emulator, owl.entry.outputs['9'].images[0]))?.rgb ?? [];
    expect(Buffer.from(foxPixels).equals(Buffer.from(owlPixels))).toBe(false);
  });

  it('derives img2img output from the input image bytes and the denoise strength', async () => {
    fs.writeFileSync(path.join(emulator.inputDir, 'a.png'), workflowFile('oracle-input.png'));
    fs.writeFileSync(path.join(emulator.inputDir, 'b.png'), workflowFile('oracle-input-v2.png'));

    const fromA = await runToHistory(base, img2img('a.png'));
    const fromB = await runToHistory(base, img2img('b.png'));
    const again = await runToHistory(base, img2img('a.png', 0.5));
    const fullDenoise = await runToHistory(base, img2img('a.png', 1));

    const pixels = async (run: { entry: { outputs: Record<string, { images: SavedImage[] }> } }) =>
      decodePng(await savedBytes(emulator, run.entry.outputs['7'].images[0]));
    const [a, b, a2, full] = await Promise.all([pixels(fromA), pixels(fromB), pixels(again), pixels(fullDenoise)]);
    expect([a?.width, a?.height]).toEqual([40, 24]);
    expect([b?.width, b?.height]).toEqual([16, 16]);
    expect(again.entry.status.messages[1][1].nodes).toEqual(['2', '4']);
    expect(Buffer.from(a2?.rgb ?? []).equals(Buffer.from(a?.rgb ?? []))).toBe(true);
    expect(Buffer.from(full?.rgb ?? []).equals(Buffer.from(a?.rgb ?? []))).toBe(false);
  });

  it('reports KSampler steps as progress events followed by progress_state', async () => {
    const socket = await RecordingSocket.open(base, 'steps');

    const { promptId } = await runToHistory(base, txt2img({ steps: 5 }), 'steps');
    await socket.waitForDone(promptId);
    await socket.close();

    const progress = socket.messages.filter((m) => m.type === 'progress');
    expect(progress.map((m) => m.data.value)).toEqual([1, 2, 3, 4, 5]);
    expect(progress[0].data).toEqual({ value: 1, max: 5, prompt_id: promptId, node: '3' });
    const afterFirst = socket.messages[socket.messages.indexOf(progress[0]) + 1];
    expect(afterFirst.type).toBe('progress_state');
    const executing = socket.messages.filter((m) => m.type === 'executing').map((m) => m.data.node);
    expect(executing).toEqual(['4', '5', '7', '6', '3', '8', '9', null]);
  });

  it('resubmitting an identical txt2img is fully cached and writes no new file', async () => {
    const first = await runToHistory(base, txt2img());
    const files = fs.readdirSync(emulator.outputDir);

    const second = await runToHistory(base, txt2img());

    expect(second.entry.outputs).toEqual(first.entry.outputs);
    expect(second.entry.status.messages[1][1].nodes).toEqual(['3', '4', '5', '6', '7', '8', '9']);
    expect(fs.readdirSync(emulator.outputDir)).toEqual(files);
  });

  it('re-runs only the changed node and what depends on it', async () => {
    await runToHistory(base, txt2img({ seed: 1 }));

    const { entry } = await runToHistory(base, txt2img({ seed: 2 }));

    expect(entry.status.messages[1][1].nodes).toEqual(['4', '5', '6', '7']);
  });

  it('numbers SaveImage files from disk and turns the prefix folder into the subfolder', async () => {
    fs.mkdirSync(path.join(emulator.outputDir, 'smoke'));
    fs.writeFileSync(path.join(emulator.outputDir, 'smoke', 'test_00007_.png'), '');
    const workflow = loadWorkflow('empty_save');
    (workflow['2'] as { inputs: Record<string, unknown> }).inputs.filename_prefix = 'smoke/test';

    const { entry } = await runToHistory(base, workflow);

    expect(entry.outputs['2'].images).toEqual([{ filename: 'test_00008_.png', subfolder: 'smoke', type: 'output' }]);
  });

  it('refuses a filename_prefix escaping the output dir with ComfyUI\'s runtime error', async () => {
    const workflow = loadWorkflow('empty_save');
    (workflow['2'] as { inputs: Record<string, unknown> }).inputs.filename_prefix = '../escape';

    const { entry } = await runToHistory(base, workflow);

    const [type, error] = entry.status.messages[2];
    expect(type).toBe('execution_error');
    expect(error.exception_message).toMatch(
      /^\*\*\*\* ERROR: Saving image outside the output folder is not allowed\.\n full_output_folder: .*\n {9}output_dir: .*\n {9}commonpath: .*\n$/,
    );
    expect(error).toMatchObject({ node_id: '2', node_type: 'SaveImage', exception_type: 'Exception', executed: ['1'] });
  });

  it('sends per-prompt events only to the submitting client, status to everyone', async () => {
    const submitter = await RecordingSocket.open(base, 'submitter');
    const bystander = await RecordingSocket.open(base, 'bystander');

    const { promptId } = await runToHistory(base, loadWorkflow('empty_save'), 'submitter');
    await submitter.waitForDone(promptId);
    await submitter.close();
    await bystander.close();

    expect(submitter.forPrompt(promptId).length).toBeGreaterThan(3);
    expect(bystander.forPrompt(promptId)).toEqual([]);
    expect(bystander.messages.filter((m) => m.type === 'status').length).toBeGreaterThanOrEqual(3);
  });

  it('broadcasts progress but not executing when a prompt has no client_id', async () => {
    const socket = await RecordingSocket.open(base, 'watcher');

    const { promptId } = await runToHistory(base, txt2img({ steps: 2 }));
    await socket.close();

    const types = new Set(socket.forPrompt(promptId).map((m) => m.type));
    expect([...types].sort()).toEqual(['progress', 'progress_state']);
  });
});
