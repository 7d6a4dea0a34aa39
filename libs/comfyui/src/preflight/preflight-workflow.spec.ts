import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiWorkflow, ObjectInfo } from '@kiln/job-orchestration';
import { comfyUiFixturesDir, workflowCorpusDir } from '@kiln/testing';
import { listOfferedModels } from './model-folders';
import { describeProblem } from './preflight-problem';
import { preflightWorkflow } from './preflight-workflow';

// The full /object_info of the captured ComfyUI 0.3.64 (its model folders held tiny-test.safetensors only).
const CAPTURED: ObjectInfo = JSON.parse(readFileSync(path.join(comfyUiFixturesDir(), 'responses/get_object_info_full.json'), 'utf8'));
const WORKFLOWS = workflowCorpusDir();

function workflow(name: string): ApiWorkflow {
  return JSON.parse(readFileSync(path.join(WORKFLOWS, `${name}.api.json`), 'utf8'));
}

/** The captured catalogue with these files in the listed loaders' COMBOs, each in the form the capture uses. */
function serverWith(files: Record<string, string[]>): ObjectInfo {
  const catalogue: ObjectInfo = structuredClone(CAPTURED);
  for (const [at, names] of Object.entries(files)) {
    const [classType, input] = at.split('.');
    const spec = catalogue[classType].input.required?.[input] as unknown[];
    if (Array.isArray(spec[0])) spec[0] = names;
    else (spec[1] as { options: string[] }).options = names;
  }
  return catalogue;
}

describe('preflightWorkflow against the captured ComfyUI 0.3.64 catalogue', () => {
  it('passes the SDXL base + refiner graph when the server has both checkpoints', () => {
    const server = serverWith({ 'CheckpointLoaderSimple.ckpt_name': ['sd_xl_base_1.0.safetensors', 'sd_xl_refiner_1.0.safetensors'] });

    expect(preflightWorkflow(workflow('sdxl-base-refiner'), server)).toEqual([]);
  });

  it('names every missing model of a LoRA chain at once, with the closest choices first', () => {
    const server = serverWith({ 'LoraLoader.lora_name': ['add_detail_v2.safetensors', 'zzz.safetensors'] });

    const problems = preflightWorkflow(workflow('sd15-lora-chain'), server);

    expect(problems.map((p) => [p.code, p.nodeId, p.input, p.value])).toEqual([
      ['value_not_in_list', '4', 'ckpt_name', 'v1-5-pruned-emaonly.safetensors'],
      ['value_not_in_list', '10', 'lora_name', 'add_detail.safetensors'],
      ['value_not_in_list', '11', 'lora_name', 'sdxl_offset_example_lora.safetensors'],
    ]);
    const lora = problems.find((p) => p.nodeId === '10');
    expect(lora).toMatchObject({ classType: 'LoraLoader', title: 'Load LoRA (detail)', folder: 'loras', choices: ['add_detail_v2.safetensors', 'zzz.safetensors'] });
    expect(describeProblem(lora!)).toBe(
      `node 10 LoraLoader "Load LoRA (detail)" input lora_name: 'add_detail.safetensors' is not offered by the server (loras); closest: add_detail_v2.safetensors, zzz.safetensors`,
    );
  });

  it('lists at most 20 of a huge catalogue, closest first, then how many more', () => {
    const checkpoints = [...Array.from({ length: 5_000 }, (_, i) => `model-${i}.safetensors`), 'v1-5-pruned.safetensors'];
    const server = serverWith({ 'CheckpointLoaderSimple.ckpt_name': checkpoints, 'LoraLoader.lora_name': ['add_detail.safetensors', 'sdxl_offset_example_lora.safetensors'] });

    const [checkpoint] = preflightWorkflow(workflow('sd15-lora-chain'), server);

    expect(checkpoint).toMatchObject({ code: 'value_not_in_list', offered: 5_001 });
    expect(checkpoint.choices).toHaveLength(20);
    expect(describeProblem(checkpoint)).toMatch(/closest: v1-5-pruned\.safetensors, .* and 4981 more$/);
  });

  it('checks new-style ["COMBO", {options}] inputs like legacy lists', () => {
    const server = serverWith({ 'CheckpointLoaderSimple.ckpt_name': ['v1-5-pruned-emaonly.safetensors', 'dreamshaper_8.safetensors'], 'UpscaleModelLoader.model_name': ['RealESRGAN_x4.pth'] });

    const problems = preflightWorkflow(workflow('sd15-hires-fix'), server);

    expect(problems).toEqual([expect.objectContaining({ code: 'value_not_in_list', classType: 'UpscaleModelLoader', input: 'model_name', folder: 'upscale_models', choices: ['RealESRGAN_x4.pth'] })]);
  });

  it('names a node class the server lacks and says it needs installing', () => {
    const flow = workflow('sdxl-base-refiner');
    flow['30'] = { class_type: 'SaveImageWebsocket', inputs: { images: ['17', 0] }, _meta: { title: 'Send over WS' } };

    const problems = preflightWorkflow(flow, serverWith({ 'CheckpointLoaderSimple.ckpt_name': ['sd_xl_base_1.0.safetensors', 'sd_xl_refiner_1.0.safetensors'] }));

    expect(problems).toEqual([expect.objectContaining({ code: 'missing_node_class', nodeId: '30', classType: 'SaveImageWebsocket', title: 'Send over WS' })]);
    expect(problems[0].message).toContain('needs installing');
  });

  it('reports missing required inputs, bad links, type mismatches, bounds and unconvertible values', () => {
    const flow: ApiWorkflow = {
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-test.safetensors' } },
      '2': { class_type: 'EmptyLatentImage', inputs: { width: 8, height: 99999, batch_size: 'two' } },
      '3': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1] } },
      '4': { class_type: 'KSampler', inputs: { model: ['1', 0], positive: ['1', 1], negative: ['3', 0], latent_image: ['2', 0], seed: 1, steps: 20, cfg: 7, sampler_name: 'eulr', scheduler: 'normal', denoise: 1 } },
      '5': { class_type: 'VAEDecode', inputs: { samples: ['4', 0], vae: ['9', 0] } },
      '6': { class_type: 'SaveImage', inputs: { images: ['5', 0], filename_prefix: 'x' } },
    };

    const found = preflightWorkflow(flow, CAPTURED).map((p) => `${p.nodeId}.${p.input}:${p.code}`);

    expect(found.sort()).toEqual(
      [
        '2.batch_size:invalid_input_type',
        '2.height:value_bigger_than_max',
        '2.width:value_smaller_than_min',
        '3.text:required_input_missing',
        '4.positive:return_type_mismatch',
        '4.sampler_name:value_not_in_list',
        '5.vae:bad_linked_input',
      ].sort(),
    );
  });

  it('skips nodes no output depends on, as ComfyUI does, and requires an output node', () => {
    const flow: ApiWorkflow = { '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'nope.safetensors' } } };

    expect(preflightWorkflow(flow, CAPTURED).map((p) => p.code)).toEqual(['prompt_no_outputs']);
  });

  it('accepts an uploaded input image the server does not list yet, and refuses an unknown one', () => {
    const flow: ApiWorkflow = {
      '1': { class_type: 'LoadImage', inputs: { image: 'kiln-parent.png' } },
      '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
    };

    expect(preflightWorkflow(flow, CAPTURED, [{ nodeId: '1', input: 'image' }])).toEqual([]);
    expect(preflightWorkflow(flow, CAPTURED)).toEqual([expect.objectContaining({ code: 'value_not_in_list', folder: 'input', choices: ['example.png'] })]);
  });
});

describe('listOfferedModels', () => {
  it('lists each folder from its loaders, both COMBO forms, sorted', () => {
    const offered = listOfferedModels(serverWith({ 'UNETLoader.unet_name': ['flux1-dev.safetensors'], 'UpscaleModelLoader.model_name': ['b.pth', 'a.pth'] }));

    expect(offered).toMatchObject({ checkpoints: ['tiny-test.safetensors'], diffusion_models: ['flux1-dev.safetensors'], upscale_models: ['a.pth', 'b.pth'], vae: ['pixel_space'], input: ['example.png'] });
  });
});
