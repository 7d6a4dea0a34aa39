import { workflowCorpusDir } from '@kiln/testing';
import { buildJobPayload } from '../build-job-payload/build-job-payload';
import { baseJobKey } from '../naming/output-name';
import { parseJobSpec } from './parse-job-spec';
import type { ResolvedJobSpec } from './resolved-job-spec';

const baseDir = workflowCorpusDir();
const run = { id: '0b6a3c52-2d4f-4e0e-9a55-6f1b1f0c2a11', targetFolder: '/srv/kiln/out' };

function parse(yaml: string): { ok: true; spec: ResolvedJobSpec } | { ok: false; message: string } {
  const result = parseJobSpec(yaml, { baseDir, sourceName: 'spec.yaml' });
  return result.ok ? { ok: true, spec: result.spec } : { ok: false, message: result.message };
}

function accepted(yaml: string): ResolvedJobSpec {
  const result = parse(yaml);
  if (!result.ok) throw new Error(result.message);
  return result.spec;
}

function rejected(yaml: string): string {
  const result = parse(yaml);
  if (result.ok) throw new Error('the spec was accepted');
  return result.message;
}

describe('resolving a spec against real workflows', () => {
  it('refuses a set: entry at a place where Kiln puts a parameter', () => {
    const message = rejected(`
version: 1
output: { dir: out }
items:
  - { name: a, workflow: sd15-batch-4.api.json, set: { "3.inputs.seed": 5 } }
`);

    expect(message).toContain('items[0].set["3.inputs.seed"]: is where Kiln places seed in workflow sd15-batch-4.api.json; fix: set seed: instead');
  });

  it('names the node it found when a setting has no place there, and a bind to a node that is not there', () => {
    const message = rejected(`
version: 1
output: { dir: out }
workflows:
  odd: { file: sdxl-base-refiner.api.json, bind: { seed: "99.inputs.seed" } }
items:
  - { name: a, workflow: sdxl-turbo-preview.api.json, seed: 5, scheduler: karras }
`);

    expect(message).toContain('items[0].scheduler: cannot be placed in workflow sdxl-turbo-preview.api.json (the first sampling node 13 SamplerCustom takes its sigmas from 22 SDTurboScheduler, which has no "scheduler")');
    expect(message).toContain('workflows.odd.bind.seed: the workflow has no node "99"');
  });

  it('refuses a default seed the graph computes, and a seed: workflow it cannot read; accepts seed: workflow on a literal seed', () => {
    const yaml = (seed: string) => `
version: 1
output: { dir: out }
workflows:
  flux: { file: flux-dev-subgraph.api.json }
items:
  - { name: fox, workflow: flux${seed} }
`;
    // The fixture's seed is a literal: make it computed through a copy that the reader hands out.
    const computed = (file: string) => {
      const graph = JSON.parse(require('node:fs').readFileSync(file, 'utf8'));
      graph['57:40'] = { class_type: 'SeedFromClock', inputs: { salt: 3, clock: ['57:41', 0] }, _meta: { title: 'Clock seed' } };
      graph['57:41'] = { class_type: 'Clock', inputs: {}, _meta: { title: 'Clock' } };
      graph['57:25'].inputs.noise_seed = ['57:40', 0];
      return JSON.stringify(graph);
    };
    const refusedResult = parseJobSpec(yaml(''), { baseDir, sourceName: 'spec.yaml', readWorkflowFile: computed });
    const keptResult = parseJobSpec(yaml(', seed: workflow'), { baseDir, sourceName: 'spec.yaml', readWorkflowFile: computed });

    expect(refusedResult.ok).toBe(false);
    if (!refusedResult.ok) {
      expect(refusedResult.message).toContain('items[0].seed: (unset: a random seed per image) cannot be placed in workflow "flux" (57:25 RandomNoise takes "noise_seed" from 57:40 SeedFromClock "Clock seed", which computes it), so the recorded seed would not be the one used');
      expect(refusedResult.message).toContain('or set seed: workflow');
    }
    // Computed, it cannot be read either: seed: workflow needs a literal seed to record.
    expect(keptResult.ok).toBe(false);
    const kept = accepted(yaml(', seed: workflow'));
    expect(kept.steps[0].params.seed).toEqual({ mode: 'workflow' });
  });

  it('keeps every seed of the graph for seed: workflow', () => {
    const spec = accepted(`
version: 1
output: { dir: out }
items:
  - { name: hires, workflow: sd15-hires-fix.api.json, seed: workflow, prompt: a misty lake, outputs: all }
`);
    const step = spec.steps[0];

    const payload = buildJobPayload({ kind: 'base_generation', run, step, seed: 89848141647836, jobKey: baseJobKey(step.name, 0) });

    expect(payload.workflow['3'].inputs['seed']).toBe(89848141647836);
    expect(payload.workflow['11'].inputs['seed']).toBe(89848141647836);
    expect(payload.workflow['6'].inputs['text']).toBe('a misty lake');
  });

  it('says a workflow whose negative ends in ConditioningZeroOut has no negative prompt', () => {
    const message = rejected(`
version: 1
output: { dir: out }
items:
  - { name: a, workflow: sd35-triple-clip.api.json, negative_prompt: blurry }
  - { name: b, workflow: flux-dev-subgraph.api.json, negative_prompt: blurry }
`);

    expect(message).toContain('items[0].negative_prompt: cannot be used with workflow sd35-triple-clip.api.json: the negative conditioning ends in ConditioningZeroOut (67 ConditioningZeroOut): the workflow has no negative prompt; fix: remove negative_prompt');
    expect(message).toContain('items[1].negative_prompt: cannot be used with workflow flux-dev-subgraph.api.json: no sampling node or guider takes a negative conditioning');
  });

  it('prints the bind lines to paste for a checkpoint with two loaders, and accepts a list bind and a set: map', () => {
    const message = rejected(`
version: 1
output: { dir: out }
workflows:
  sdxl: { file: sdxl-base-refiner.api.json }
items:
  - { name: a, workflow: sdxl, checkpoint: sd_xl_base_1.0.safetensors }
`);
    expect(message).toContain('items[0].checkpoint: cannot be placed in workflow "sdxl" (the workflow has several');
    expect(message).toContain('paste under workflows.sdxl.bind: one of');
    expect(message).toContain('checkpoint: "4.inputs.ckpt_name"   # 4 CheckpointLoaderSimple "Load Checkpoint - BASE"');
    expect(message).toContain('checkpoint: "12.inputs.ckpt_name"   # 12 CheckpointLoaderSimple "Load Checkpoint - REFINER"');

    const spec = accepted(`
version: 1
output: { dir: out }
workflows:
  sdxl: { file: sdxl-base-refiner.api.json, bind: { checkpoint: "4.inputs.ckpt_name", steps: ["10.inputs.steps", "11.inputs.steps"] } }
defaults: { workflow: sdxl, seed: 7, set: { "11.inputs.start_at_step": 5 } }
items:
  - { name: castle, checkpoint: sd_xl_base_1.0.safetensors, steps: 12, set: { "12.inputs.ckpt_name": sd_xl_refiner_1.0.safetensors, "11.inputs.start_at_step": 9 } }
`);
    const step = spec.steps[0];
    const payload = buildJobPayload({ kind: 'base_generation', run, step, seed: 11, jobKey: baseJobKey(step.name, 0) });

    expect(step.params.set).toEqual({ '11.inputs.start_at_step': 9, '12.inputs.ckpt_name': 'sd_xl_refiner_1.0.safetensors' });
    expect(payload.workflow['10'].inputs['steps']).toBe(12);
    expect(payload.workflow['11'].inputs['steps']).toBe(12);
    expect(payload.workflow['11'].inputs['start_at_step']).toBe(9);
    expect(payload.workflow['10'].inputs['noise_seed']).toBe(11);
    expect(payload.workflow['11'].inputs['noise_seed']).toBe(0);
    expect(spec.checkpoints).toEqual(['sd_xl_base_1.0.safetensors', 'sd_xl_refiner_1.0.safetensors']);
  });

  it('rejects set: keys that are not value inputs of the workflow, and values that are not plain data', () => {
    const message = rejected(`
version: 1
output: { dir: out }
items:
  - { name: a, workflow: sd15-lora-chain.api.json, set: { "10.inputs.model": 1, "77.inputs.x": 1 } }
  - { name: b, workflow: sd15-lora-chain.api.json, set: { "10.inputs.strength_model": [1] } }
`);

    expect(message).toContain('items[0].set["10.inputs.model"]: input "model" of node "10" is a link to another node, not a value');
    expect(message).toContain('items[0].set["77.inputs.x"]: the workflow has no node "77"');
    expect(message).toContain('items[1].set: "10.inputs.strength_model" must be text, a number or true/false');
    const prototype = rejected(`
version: 1
output: { dir: out }
items:
  - { name: a, workflow: sd15-lora-chain.api.json, set: { "__proto__.inputs.x": 1, "10.inputs.constructor": 2 } }
`);
    expect(prototype).toContain('items[0].set["__proto__.inputs.x"]: the workflow has no node "__proto__"');
    expect(prototype).toContain('items[0].set["10.inputs.constructor"]: node "10" (LoraLoader) has no input "constructor"');
  });

  it('uses subgraph ids in binds and set:, and unwraps a saved POST /prompt body with a note', () => {
    const spec = accepted(`
version: 1
output: { dir: out }
workflows:
  flux: { file: flux-dev-subgraph.api.json, bind: { cfg: "57:26.inputs.guidance" } }
items:
  - { name: fox, workflow: flux, cfg: 2.5, set: { "57:12.inputs.unet_name": flux1-schnell.safetensors } }
  - { name: saved, workflow: sd15-post-prompt-body.json, prompt: hello }
`);
    const payload = buildJobPayload({ kind: 'base_generation', run, step: spec.steps[0], seed: 3, jobKey: baseJobKey('fox', 0) });

    expect(payload.workflow['57:26'].inputs['guidance']).toBe(2.5);
    expect(payload.workflow['57:12'].inputs['unet_name']).toBe('flux1-schnell.safetensors');
    expect(payload.workflow['57:25'].inputs['noise_seed']).toBe(3);
    expect(spec.notes).toEqual(['sd15-post-prompt-body.json is a saved POST /prompt body: its "prompt" is used as the workflow (client_id, extra_data left out)']);
  });

  it('refuses several image outputs without a choice, listing each, and keeps what output: or outputs: all says', () => {
    const message = rejected(`
version: 1
output: { dir: out }
items:
  - { name: a, workflow: sd15-hires-fix.api.json }
  - { name: b, workflow: sd15-hires-fix.api.json, output: "99" }
`);
    expect(message).toContain('items[0].workflow: workflow sd15-hires-fix.api.json has several image output nodes (9 SaveImage "Save Image (first pass)"; 13 SaveImage "Save Image (second pass)"; 17 SaveImage "Save Image (model upscale)") and the spec does not say which to keep; fix: add output: "<node id>" (output: "9" or output: "13" or output: "17") or outputs: all');
    expect(message).toContain('items[1].output: workflow sd15-hires-fix.api.json has no image output node "99"');

    const spec = accepted(`
version: 1
output: { dir: out }
workflows:
  hires: { file: sd15-hires-fix.api.json, output: "13" }
items:
  - { name: second, workflow: hires }
  - { name: every, workflow: hires, outputs: all }
  - { name: lora, workflow: sd15-lora-chain.api.json, output: "9" }
  - { name: preview, workflow: sdxl-turbo-preview.api.json }
  - { name: socket, workflow: sd15-save-websocket.api.json }
`);
    const outputs = spec.steps.map((step) => step.workflow.base.outputs);
    expect(outputs).toEqual([
      { nodes: [{ id: '13', slug: 'save-image-second-pass' }], batchSize: 1 },
      { nodes: [{ id: '9', slug: 'save-image-first-pass' }, { id: '13', slug: 'save-image-second-pass' }, { id: '17', slug: 'save-image-model-upscale' }], batchSize: 1 },
      { nodes: [{ id: '9', slug: 'save-image' }], batchSize: 3 },
      { nodes: [{ id: '25', slug: 'preview-image' }], batchSize: 1 },
      // Its images come as binary WebSocket frames, not in the history: the engine collects them there.
      { nodes: [{ id: '10', slug: 'saveimagewebsocket', socket: true }], batchSize: 1 },
    ]);
  });

  it('refuses a pipeline step whose jobs would yield several images (a batch, several outputs): each job is one candidate', () => {
    const message = rejected(`
version: 1
output: { dir: out }
steps:
  - { name: batch, workflow: sd15-batch-4.api.json, prompt: p, count: 2 }
  - { name: hires, workflow: sd15-hires-fix.api.json, prompt: p, count: 2, outputs: all }
  - { name: grown, workflow: sd15-txt2img.api.json, prompt: p, count: 2, set: { "5.inputs.batch_size": 2 } }
`);

    expect(message).toContain('steps[0].workflow: workflow sd15-batch-4.api.json yields a batch of 4 (batch_size) per job, but each job of a pipeline step is one candidate, so only one image could be selected; fix: set batch_size to 1 (e.g. with set:) and raise count instead');
    expect(message).toContain('steps[1].outputs: workflow sd15-hires-fix.api.json yields 3 output nodes (9, 13, 17) per job, but each job of a pipeline step is one candidate');
    expect(message).toContain('fix: choose one with output: "9" and raise count instead');
    expect(message).toContain('steps[2].workflow: workflow sd15-txt2img.api.json yields a batch of 2 (batch_size) per job');

    const spec = accepted(`
version: 1
output: { dir: out }
steps:
  - { name: one, workflow: sd15-batch-4.api.json, prompt: p, count: 2, set: { "5.inputs.batch_size": 1 } }
`);
    expect(spec.steps[0].workflow.base.outputs).toEqual({ nodes: [{ id: '9', slug: 'save-image' }], batchSize: 1 });
  });

  it('refuses input files outside the spec folder, missing ones, and an image for a workflow without a LoadImage', () => {
    const message = rejected(`
version: 1
output: { dir: out }
items:
  - { name: a, workflow: sdxl-img2img.api.json, image: ../escape.png }
  - { name: b, workflow: sdxl-img2img.api.json, image: no-such.png }
  - { name: c, workflow: sd15-txt2img.api.json, image: sd15-txt2img.api.json }
  - { name: d, workflow: sd15-txt2img.api.json, mask: sd15-txt2img.api.json }
`);

    expect(message).toContain('items[0].image: resolves to');
    expect(message).toContain("outside the spec's folder");
    expect(message).toContain('items[1].image: cannot read');
    expect(message).toContain('items[2].image: cannot be placed in workflow sd15-txt2img.api.json (the workflow has no LoadImage node)');
    expect(message).toContain('items[3].mask: cannot be placed in workflow sd15-txt2img.api.json (the workflow has no LoadImageMask node)');
  });

  it('binds image:, mask: and denoise of a batch item and uploads each file under a name made from its sha256', () => {
    const spec = accepted(`
version: 1
output: { dir: out }
items:
  - { name: cat, workflow: sd15-inpaint.api.json, image: sd15-txt2img.api.json, mask: sd15-batch-4.api.json, denoise: 0.7, seed: 1 }
`);
    const step = spec.steps[0];

    const payload = buildJobPayload({ kind: 'base_generation', run, step, seed: 5, jobKey: baseJobKey(step.name, 0) });

    const image = step.params.imageSha256 as string;
    expect(payload.workflow['20'].inputs['image']).toBe(`kiln-in-${image.slice(0, 32)}.json`);
    expect(payload.workflow['3'].inputs['denoise']).toBe(0.7);
    expect(payload.uploads.map((u) => [u.uploadName.slice(0, 8), u.target])).toEqual([
      ['kiln-in-', { nodeId: '20', input: 'image' }],
      ['kiln-in-', { nodeId: '21', input: 'image' }],
    ]);
    expect(payload.placed['denoise']).toEqual(['3.inputs.denoise']);
  });
});
