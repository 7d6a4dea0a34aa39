import { workflowCorpusDir } from '@kiln/testing';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkApiWorkflow, cloneJson, type ApiWorkflow } from './api-workflow';
import { getBuiltinWorkflow } from './builtin-templates';
import { placeWorkflowParams } from './place-params';

// Regenerate after an intended change (then read the diff): KILN_UPDATE_GOLDEN=1 npx jest -c libs/job-orchestration/jest.config.cjs place-params
const goldenDir = path.join(__dirname, '../../tests/golden/placements');
const corpus = workflowCorpusDir();
const apiFiles = fs.readdirSync(corpus).filter((file) => file.endsWith('.json') && !file.endsWith('.ui.json')).sort();

function readCorpus(file: string): ApiWorkflow {
  const checked = checkApiWorkflow(JSON.parse(fs.readFileSync(path.join(corpus, file), 'utf8')));
  if (!checked.ok) throw new Error(`${file} ${checked.problem}`);
  return checked.workflow;
}

describe('placeWorkflowParams', () => {
  it('has a corpus of at least 15 API-format workflows, one of them with subgraph ids', () => {
    expect(apiFiles.length).toBeGreaterThanOrEqual(15);
    expect(apiFiles.some((file) => Object.keys(readCorpus(file)).some((id) => /^\d+:\d+$/.test(id)))).toBe(true);
  });

  it.each(apiFiles)('places the parameters of %s where the golden file says', (file) => {
    const placement = placeWorkflowParams(readCorpus(file));
    const golden = path.join(goldenDir, file.replace(/(\.api)?\.json$/, '.placement.json'));
    if (process.env['KILN_UPDATE_GOLDEN'] === '1') {
      fs.mkdirSync(goldenDir, { recursive: true });
      fs.writeFileSync(golden, `${JSON.stringify(placement, null, 2)}\n`);
    }

    expect(placement).toEqual(JSON.parse(fs.readFileSync(golden, 'utf8')));
  });

  it('places every parameter of the built-in txt2img template where its own bindings say', () => {
    const placement = placeWorkflowParams(cloneJson(getBuiltinWorkflow('txt2img').graph));

    const own = Object.fromEntries(Object.entries(getBuiltinWorkflow('txt2img').bindings).map(([param, target]) => [param, [target]]));
    expect(placement.bindings).toEqual(own);
  });

  it('follows Flux noise, sampler and scheduler nodes across subgraph ids, and keeps ModelSamplingFlux at the latent size', () => {
    const { bindings } = placeWorkflowParams(readCorpus('flux-dev-subgraph.api.json'));

    expect(bindings).toMatchObject({
      seed: ['57:25.inputs.noise_seed'], sampler: ['57:16.inputs.sampler_name'], steps: ['57:17.inputs.steps'],
      prompt: ['6.inputs.text'], width: ['57:27.inputs.width', '57:30.inputs.width'],
    });
  });

  it('seeds only the refiner pass that adds noise and prompts every encoder of each side, base and refiner', () => {
    const placement = placeWorkflowParams(readCorpus('sdxl-base-refiner.api.json'));

    expect(placement.bindings.seed).toEqual(['10.inputs.noise_seed']);
    expect(placement.bindings.prompt).toEqual(['6.inputs.text_g', '6.inputs.text_l', '15.inputs.text']);
    expect(placement.bindings.negative_prompt).toEqual(['7.inputs.text_g', '7.inputs.text_l', '16.inputs.text']);
    expect(placement.unplaced).toContainEqual({ param: 'checkpoint', reason: expect.stringContaining('12 CheckpointLoaderSimple "Load Checkpoint - REFINER"') });
  });

  it('seeds both passes of a hires fix and puts sampling settings on the first', () => {
    const { bindings } = placeWorkflowParams(readCorpus('sd15-hires-fix.api.json'));

    expect(bindings.seed).toEqual(['3.inputs.seed', '11.inputs.seed']);
    expect(bindings.steps).toEqual(['3.inputs.steps']);
    expect(bindings.denoise).toEqual(['3.inputs.denoise']);
  });

  it('says a negative that ends in ConditioningZeroOut means no negative prompt, and follows the one that does not', () => {
    expect(placeWorkflowParams(readCorpus('sd35-triple-clip.api.json')).noNegative).toContain('67 ConditioningZeroOut');
    const combined = placeWorkflowParams(readCorpus('sd35-cfg-guider-combine.api.json'));
    expect(combined.noNegative).toBeUndefined();
    expect(combined.bindings.negative_prompt).toEqual(['40.inputs.text']);
    expect(combined.bindings.cfg).toEqual(['60.inputs.cfg']);
  });

  it('places a prompt that comes from a string node on that node', () => {
    const { bindings } = placeWorkflowParams(readCorpus('sd15-prompt-from-string.api.json'));

    expect(bindings.prompt).toEqual(['30.inputs.value']);
    expect(bindings.negative_prompt).toEqual(['31.inputs.value']);
  });

  it('leaves the seed unplaced when it is computed by another node, naming that node', () => {
    const graph = readCorpus('sd15-txt2img.api.json');
    graph['50'] = { class_type: 'PrimitiveInt', inputs: { value: 1 }, _meta: { title: 'Seed' } };
    graph['51'] = { class_type: 'SimpleMath+', inputs: { value: ['50', 0], a: 2 }, _meta: { title: 'Seed times two' } };
    graph['3'].inputs['seed'] = ['51', 0];

    const placement = placeWorkflowParams(graph);

    expect(placement.bindings.seed).toBeUndefined();
    expect(placement.unplaced).toContainEqual({ param: 'seed', reason: '3 KSampler takes "seed" from 51 SimpleMath+ "Seed times two", which computes it' });
  });

  it('refuses to guess between two independent samplers', () => {
    const graph = readCorpus('sd15-txt2img.api.json');
    graph['30'] = cloneJson(graph['3']);

    const placement = placeWorkflowParams(graph);

    expect(placement.bindings.seed).toEqual(['3.inputs.seed', '30.inputs.seed']);
    expect(placement.bindings.steps).toBeUndefined();
    expect(placement.unplaced).toContainEqual({ param: 'steps', reason: 'the workflow has several independent sampling nodes (3 KSampler; 30 KSampler)' });
  });

  it('tells a UI-format export apart and unwraps a saved POST /prompt body with a note', () => {
    expect(checkApiWorkflow({ nodes: [], links: [] })).toMatchObject({ ok: false, problem: expect.stringContaining('UI-format') });
    const body = JSON.parse(fs.readFileSync(path.join(corpus, 'sd15-post-prompt-body.json'), 'utf8'));
    expect(checkApiWorkflow(body)).toMatchObject({ ok: true, note: expect.stringContaining('saved POST /prompt body'), workflow: body.prompt });
  });

  it('finds no node behind a link to "__proto__" or "constructor"', () => {
    const graph = readCorpus('sd15-txt2img.api.json');
    graph['3'].inputs['positive'] = ['__proto__', 0];
    graph['3'].inputs['latent_image'] = ['constructor', 0];

    const placement = placeWorkflowParams(graph);

    expect(placement.unplaced).toContainEqual({ param: 'prompt', reason: expect.stringContaining('no text encoder') });
    expect(placement.unplaced).toContainEqual({ param: 'width', reason: 'the first sampling node 3 KSampler has no linked latent_image' });
  });
});
