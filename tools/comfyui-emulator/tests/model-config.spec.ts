import { decodePng } from '../src/image/png-decoder';
import { startEmulator, type RunningEmulator } from '../src/index';
import { DEFAULT_MODELS } from '../src/models/model-folders';
import { postJson, request } from './support/client';
import { loadTestWorkflow, runWorkflow } from './support/run-workflow';

type InputSpec = [unknown, Record<string, unknown>?];

async function inputSpec(base: string, classType: string, input: string): Promise<InputSpec> {
  const info = (await request(`${base}/object_info/${classType}`)).json<Record<string, { input: { required: Record<string, InputSpec> } }>>();
  return info[classType].input.required[input];
}

describe('model folders and input images', () => {
  let emulator: RunningEmulator;

  afterEach(() => emulator.close());

  it('offers the default set in /models/<folder> and in both COMBO forms of /object_info', async () => {
    emulator = await startEmulator();
    const base = emulator.url;

    expect((await request(`${base}/models/checkpoints`)).json()).toEqual([...DEFAULT_MODELS.checkpoints].sort());
    expect((await request(`${base}/models/diffusion_models`)).json()).toEqual(['flux1-dev.safetensors', 'flux1-schnell.safetensors']);
    expect((await request(`${base}/models/upscale_models`)).json()).toEqual(['4x-UltraSharp.pth', 'RealESRGAN_x2.pth']);
    expect((await inputSpec(base, 'LoraLoader', 'lora_name'))[0]).toEqual((await request(`${base}/models/loras`)).json());
    expect(await inputSpec(base, 'UpscaleModelLoader', 'model_name')).toEqual([
      'COMBO',
      { multiselect: false, options: ['4x-UltraSharp.pth', 'RealESRGAN_x2.pth'] },
    ]);
    expect((await inputSpec(base, 'DualCLIPLoader', 'clip_name2'))[0]).toEqual((await request(`${base}/models/text_encoders`)).json());
    expect((await inputSpec(base, 'VAELoader', 'vae_name'))[0]).toEqual([
      'ae.safetensors', 'sdxl_vae.safetensors', 'vae-ft-mse-840000-ema-pruned.safetensors', 'pixel_space',
    ]);
  });

  it('takes folders from options (aliases clip and unet too) and keeps the defaults of the others', async () => {
    emulator = await startEmulator({
      checkpoints: ['b.safetensors', 'a.safetensors'],
      models: { unet: ['z-image.safetensors'], clip: ['qwen.safetensors'], loras: [] },
      inputImages: ['pose.png'],
    });
    const base = emulator.url;

    expect((await request(`${base}/models/checkpoints`)).json()).toEqual(['a.safetensors', 'b.safetensors']);
    expect((await inputSpec(base, 'UNETLoader', 'unet_name'))[0]).toEqual(['z-image.safetensors']);
    expect(await inputSpec(base, 'TripleCLIPLoader', 'clip_name1')).toEqual(['COMBO', { multiselect: false, options: ['qwen.safetensors'] }]);
    expect((await inputSpec(base, 'LoraLoader', 'lora_name'))[0]).toEqual([]);
    expect((await request(`${base}/models/controlnet`)).json()).toEqual(['control_v11f1p_sd15_depth.pth', 'control_v11p_sd15_canny.pth']);
    expect((await inputSpec(base, 'LoadImage', 'image'))[0]).toEqual(['example.png', 'pose.png']);
    await expect(startEmulator({ models: { no_such_folder: ['x'] } })).rejects.toThrow(/unknown model folder "no_such_folder"/);
  });

  it('changes folders and input images through the control endpoint; validation follows at once', async () => {
    emulator = await startEmulator();
    const base = emulator.url;
    const lora = loadTestWorkflow('sd15-lora-chain');

    const replaced = await postJson(`${base}/__emulator/models`, { loras: ['sdxl_offset_example_lora.safetensors'] });
    const rejected = await postJson(`${base}/prompt`, { prompt: lora });
    const images = await postJson(`${base}/__emulator/input-images`, { names: ['canny-source.png'] });
    const badFolder = await postJson(`${base}/__emulator/models`, { lorax: ['x.safetensors'] });
    const badList = await postJson(`${base}/__emulator/models`, { loras: 'x.safetensors' });

    expect(replaced.json<Record<string, string[]>>().loras).toEqual(['sdxl_offset_example_lora.safetensors']);
    expect((await request(`${base}/__emulator/models`)).json<Record<string, string[]>>().loras).toEqual(['sdxl_offset_example_lora.safetensors']);
    expect(rejected.status).toBe(400);
    expect(rejected.json<{ node_errors: Record<string, unknown> }>().node_errors).toHaveProperty('10');
    expect(images.json()).toEqual(['canny-source.png', 'example.png']);
    expect([badFolder.status, badList.status]).toEqual([400, 400]);
    const controlnet = loadTestWorkflow('sd15-controlnet');
    controlnet['11'].inputs.image = 'canny-source.png';
    expect((await runWorkflow(base, controlnet)).status).toBe('success');
    const png = decodePng(Buffer.from(await (await fetch(`${base}/view?filename=canny-source.png&type=input`)).arrayBuffer()));
    expect([png?.width, png?.height]).toEqual([64, 64]);
  });

  it('fails a model file marked broken at load time in any loader', async () => {
    emulator = await startEmulator({ models: { diffusion_models: ['flux1-dev-broken.safetensors'] } });
    const flux = loadTestWorkflow('flux-dev-subgraph');
    flux['57:12'].inputs.unet_name = 'flux1-dev-broken.safetensors';

    const run = await runWorkflow(emulator.url, flux);

    expect(run.status).toBe('error');
    const error = run.messages.find(([event]) => event === 'execution_error')?.[1];
    expect(error).toMatchObject({ node_id: '57:12', node_type: 'UNETLoader', exception_type: 'safetensors_rust.SafetensorError' });
  });
});
