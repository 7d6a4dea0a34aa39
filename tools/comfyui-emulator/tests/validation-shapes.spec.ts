import { startEmulator, type RunningEmulator } from '../src/index';
import { postJson } from './support/client';
import { capturedJson } from './support/fixtures';
import { loadTestWorkflow } from './support/run-workflow';

type Workflow = ReturnType<typeof loadTestWorkflow>;

/** The structure of a JSON value: keys and value types, not the values. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, shapeOf(v)]));
}

interface RejectedPrompt {
  error: { type: string; message: string; details: string; extra_info: Record<string, unknown> };
  node_errors: Record<string, { errors: Array<{ type: string; message: string; details: string; extra_info: Record<string, unknown> }>; dependent_outputs: string[]; class_type: string }>;
}

describe('validation errors with ComfyUI 0.3.64 body shapes', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });

  afterAll(() => emulator.close());

  async function reject(prompt: Workflow): Promise<RejectedPrompt> {
    const response = await postJson(`${emulator.url}/prompt`, { prompt });
    expect(response.status).toBe(400);
    return response.json<RejectedPrompt>();
  }

  function sd35(change: (workflow: Workflow) => void): Workflow {
    const workflow = loadTestWorkflow('sd35-triple-clip');
    change(workflow);
    return workflow;
  }

  it('rejects a new-style COMBO value with value_not_in_list shaped like the captured checkpoint case', async () => {
    const body = await reject(sd35((w) => (w['11'].inputs.clip_name3 = 't5xxl_missing.safetensors')));

    const captured = capturedJson('post_prompt_ckpt_not_in_list_400');
    expect(shapeOf(body)).toEqual(shapeOf({ ...(captured as object), node_errors: { '11': (captured as RejectedPrompt).node_errors['1'] } }));
    const error = body.node_errors['11'].errors[0];
    expect(error).toEqual({
      type: 'value_not_in_list',
      message: 'Value not in list',
      details:
        "clip_name3: 't5xxl_missing.safetensors' not in ['clip_g.safetensors', 'clip_l.safetensors', 't5xxl_fp16.safetensors', 't5xxl_fp8_e4m3fn.safetensors']",
      extra_info: {
        input_name: 'clip_name3',
        input_config: [
          'COMBO',
          { multiselect: false, options: ['clip_g.safetensors', 'clip_l.safetensors', 't5xxl_fp16.safetensors', 't5xxl_fp8_e4m3fn.safetensors'] },
        ],
        received_value: 't5xxl_missing.safetensors',
      },
    });
    expect(body.node_errors['11']).toMatchObject({ dependent_outputs: ['9'], class_type: 'TripleCLIPLoader' });
  });

  it('rejects a missing LoRA, UNET, VAE and ControlNet in the legacy list form, every node at once', async () => {
    const flux = loadTestWorkflow('flux-dev-subgraph');
    flux['57:12'].inputs.unet_name = 'flux1-pro.safetensors';
    flux['57:10'].inputs.vae_name = 'no-vae.safetensors';

    const body = await reject(flux);

    expect(Object.keys(body.node_errors).sort()).toEqual(['57:10', '57:12']);
    expect(body.node_errors['57:10'].errors[0].details).toBe(
      "vae_name: 'no-vae.safetensors' not in ['ae.safetensors', 'sdxl_vae.safetensors', 'vae-ft-mse-840000-ema-pruned.safetensors', 'pixel_space']",
    );
    const lora = loadTestWorkflow('sd15-lora-chain');
    lora['10'].inputs.lora_name = 'nope.safetensors';
    expect((await reject(lora)).node_errors['10'].errors[0].type).toBe('value_not_in_list');
    const controlnet = loadTestWorkflow('sd15-controlnet');
    controlnet['12'].inputs.control_net_name = 'control_sdxl.pth';
    expect((await reject(controlnet)).node_errors['12'].errors[0].extra_info.input_name).toBe('control_net_name');
  });

  it('leaves lists longer than 20 out of value_not_in_list, as execution.py does', async () => {
    const body = await reject(sd35((w) => (w['3'].inputs.sampler_name = 'euler_fancy')));

    const error = body.node_errors['3'].errors[0];
    expect(error.details).toMatch(/^sampler_name: 'euler_fancy' not in \(list of length \d+\)$/);
    expect(error.extra_info).toEqual({ input_name: 'sampler_name', input_config: null, received_value: 'euler_fancy' });
  });

  // The SD3.5 graph's case; the model-free one is compared byte for byte in validation-conformance.spec.ts.
  it('rejects a link whose source output type does not match with return_type_mismatch', async () => {
    const body = await reject(sd35((w) => (w['3'].inputs.model = ['11', 0])));

    expect(body.node_errors['3'].errors).toEqual([
      {
        type: 'return_type_mismatch',
        message: 'Return type mismatch between linked nodes',
        details: 'model, received_type(CLIP) mismatch input_type(MODEL)',
        extra_info: {
          input_name: 'model',
          input_config: ['MODEL', { tooltip: 'The model used for denoising the input latent.' }],
          received_type: 'CLIP', linked_node: ['11', 0] },
      },
    ]);
  });

  it('checks INT/FLOAT bounds on both sides, shaped like the captured value_smaller_than_min', async () => {
    const below = await reject(sd35((w) => (w['53'].inputs.width = 8)));
    const above = await reject(sd35((w) => (w['3'].inputs.denoise = 1.5)));

    const captured = capturedJson('post_prompt_value_below_min_400') as RejectedPrompt;
    expect(shapeOf(below.node_errors['53'])).toEqual(shapeOf(captured.node_errors['1']));
    expect(below.node_errors['53'].errors[0]).toMatchObject({ type: 'value_smaller_than_min', message: 'Value 8 smaller than min of 16', details: 'width' });
    // A FLOAT max; the INT one is compared byte for byte in validation-conformance.spec.ts.
    expect(shapeOf(above.node_errors['3'])).toEqual(shapeOf(captured.node_errors['1']));
    expect(above.node_errors['3'].errors[0]).toMatchObject({
      type: 'value_bigger_than_max',
      message: 'Value 1.5 bigger than max of 1.0',
      details: 'denoise',
      extra_info: { input_name: 'denoise', received_value: 1.5 },
    });
  });

  it('reports a missing required input like the capture', async () => {
    const body = await reject(sd35((w) => delete w['3'].inputs.latent_image));

    const captured = capturedJson('post_prompt_missing_required_input_400') as RejectedPrompt;
    expect(shapeOf(body.node_errors['3'])).toEqual(shapeOf(captured.node_errors['1']));
    expect(body.node_errors['3'].errors[0]).toEqual({
      type: 'required_input_missing',
      message: 'Required input is missing',
      details: 'latent_image',
      extra_info: { input_name: 'latent_image' },
    });
  });

  it('names a class the server lacks (a custom node) like the captured unknown class', async () => {
    const workflow = loadTestWorkflow('flux-fp8-checkpoint');
    workflow['9'] = { class_type: 'SaveImageWebsocket', inputs: { images: ['8', 0] } };

    const body = await reject(workflow);

    expect(shapeOf(body)).toEqual(shapeOf(capturedJson('post_prompt_unknown_class_type_400')));
    expect(body.error).toEqual({
      type: 'invalid_prompt',
      message: 'Cannot execute because node SaveImageWebsocket does not exist.',
      details: "Node ID '#9'",
      extra_info: {},
    });
  });

  // As the captured post_prompt_inner_link_to_missing_node_400: execution.py catches the upstream node's
  // KeyError in the downstream node's loop and files it under the upstream node with the downstream input
  // (SaveImage's `images` → ["8", 0]).
  it('reports a link to a missing node upstream as exception_during_inner_validation', async () => {
    const body = await reject(sd35((w) => (w['8'].inputs.samples = ['404', 0])));

    const error = body.node_errors['8'].errors[0];
    expect(error).toMatchObject({
      type: 'exception_during_inner_validation',
      message: 'Exception when validating inner node',
      details: "'404'",
      extra_info: { input_name: 'images', exception_type: 'KeyError', linked_node: ['8', 0] },
    });
    expect(Object.keys(error.extra_info)).toEqual([
      'input_name', 'input_config', 'exception_message', 'exception_type', 'traceback', 'linked_node',
    ]);
  });
});
