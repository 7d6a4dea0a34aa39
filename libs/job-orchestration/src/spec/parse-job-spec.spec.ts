import * as path from 'node:path';
import { loadJobSpecFile, parseJobSpec } from './parse-job-spec';
import type { ResolvedJobSpec } from './resolved-job-spec';
import { jobSpecToPipelineRunInput } from './job-spec-to-pipeline-run';
import { deriveSeed } from '../seeds/derive-seed';

const fixtures = path.join(__dirname, '../../tests/fixtures');

function load(file: string): ResolvedJobSpec {
  const result = loadJobSpecFile(path.join(fixtures, file));
  if (!result.ok) throw new Error(result.message);
  return result.spec;
}

describe('parseJobSpec', () => {
  it('round-trips every key of the documented batch format', () => {
    const spec = load('portraits.yaml');

    expect(spec.kind).toBe('batch');
    expect(spec.outputDir).toBe(path.join(fixtures, 'out/portraits'));
    expect(spec.overwrite).toBe(false);
    expect(spec.baseSeed).toBe(1234);
    expect(spec.checkpoints).toEqual(['dreamshaper_8.safetensors', 'sd_xl_base_1.0.safetensors']);
    expect(spec.steps.map((s) => [s.name, s.baseCount, s.naming, s.workflow.base.source])).toEqual([
      ['mallsing', 1, 'deterministic', 'builtin:txt2img'],
      ['bob-the-brave', 3, 'deterministic', 'builtin:txt2img'],
      ['zoe-angstrom', 1, 'deterministic', 'workflows/portrait.api.json'],
    ]);
    expect(spec.steps[0].params).toEqual({
      displayName: 'Mallsing', prompt: 'portrait of a mallsing, oil painting', negativePrompt: 'blurry, lowres',
      checkpoint: 'sd_xl_base_1.0.safetensors', width: 1024, height: 1024, steps: 30, cfg: 7, sampler: 'euler',
      scheduler: 'normal', seed: { mode: 'fixed', base: 1234 }, timeoutSeconds: 300,
    });
    expect(spec.steps[1].params.seed).toEqual({ mode: 'fixed', base: 42 });
    expect(spec.steps[2].params).toMatchObject({
      displayName: 'Zoë Ångström', checkpoint: 'dreamshaper_8.safetensors', cfg: 5.5, sampler: 'dpmpp_2m',
      scheduler: 'karras', timeoutSeconds: 120,
    });
    expect(spec.steps[2].workflow.base.bindings).toMatchObject({
      prompt: ['6.inputs.text'], seed: ['3.inputs.seed'], checkpoint: ['4.inputs.ckpt_name'], negative_prompt: ['7.inputs.text'],
    });
  });

  it('accepts the same spec as JSON', () => {
    const yaml = load('portraits.yaml');
    const json = parseJobSpec(JSON.stringify(yaml.source), { baseDir: fixtures, sourceName: 'portraits.json' });

    expect(json.ok && json.spec).toEqual(yaml);
  });

  it('reads a pipeline spec into unique-named steps with children and the img2img child workflow', () => {
    const spec = load('pipeline.yaml');

    expect(spec.kind).toBe('pipeline');
    expect(spec.steps.map((s) => [s.name, s.baseCount, s.childrenPerSelected, s.naming])).toEqual([
      ['character-sheet', 4, 2, 'unique'],
      ['backgrounds', 2, 0, 'unique'],
    ]);
    expect(spec.steps[0].workflow.child?.source).toBe('builtin:img2img');
    expect(spec.steps[0].params.denoise).toBe(0.45);
    expect(spec.steps[1].workflow.child).toBeUndefined();
  });

  it('defaults to one image and a random seed, and leaves the timeout unset for the configured default', () => {
    const result = parseJobSpec('version: 1\noutput: { dir: out }\nitems: [{ name: A, prompt: a, checkpoint: c.safetensors }]', { baseDir: '/specs' });

    expect(result.ok && result.spec.steps[0]).toMatchObject({ baseCount: 1, params: { seed: { mode: 'random' } } });
    expect(result.ok && result.spec.steps[0].params).not.toHaveProperty('timeoutSeconds');
    expect(result.ok && result.spec.outputDir).toBe('/specs/out');
  });

  it('takes the timeout from the item, else from defaults', () => {
    const result = parseJobSpec('version: 1\noutput: { dir: out }\ndefaults: { checkpoint: c, timeout: 90 }\nitems: [{ name: A, prompt: a }, { name: B, prompt: b, timeout: 5 }]', { baseDir: '/specs' });

    expect(result.ok && result.spec.steps.map((step) => step.params.timeoutSeconds)).toEqual([90, 5]);
  });

  it('keeps every item\'s seeds when items are reordered or added', () => {
    const items = ['{ name: A, prompt: a, count: 2 }', '{ name: B, prompt: b }', '{ name: C, prompt: c, seed: 9 }'];
    const seedsOf = (list: string[]) => {
      const result = parseJobSpec(`version: 1\noutput: { dir: out, overwrite: true }\ndefaults: { checkpoint: c, seed: 1234 }\nitems: [${list.join(', ')}]`, { baseDir: '/specs' });
      if (!result.ok) throw new Error(result.message);
      return Object.fromEntries(result.spec.steps.map((s) => [
        s.name,
        Array.from({ length: s.baseCount }, (_, i) => (s.params.seed.mode === 'fixed' ? deriveSeed(s.params.seed.base, s.name, i) : null)),
      ]));
    };

    const original = seedsOf(items);
    const reordered = seedsOf([items[2], '{ name: New, prompt: n }', items[0], items[1]]);

    expect(original).toEqual({ a: [6196049101542929, 122856547566871], b: [4489142889669943], c: [3922559928790080] });
    expect(reordered).toMatchObject(original);
  });

  it('carries output.overwrite to every step', () => {
    const result = parseJobSpec('version: 1\noutput: { dir: out, overwrite: true }\nitems: [{ name: A, prompt: a, checkpoint: c }]', { baseDir: '/specs' });

    expect(result.ok && [result.spec.overwrite, result.spec.steps[0].overwrite]).toEqual([true, true]);
  });

  it('lists the checkpoint a user workflow holds itself when the spec sets none', () => {
    const result = parseJobSpec('version: 1\noutput: { dir: out }\nitems: [{ name: A, workflow: workflows/portrait.api.json }]', { baseDir: fixtures });

    expect(result.ok && result.spec.checkpoints).toEqual(['v1-5-pruned-emaonly.safetensors']);
  });

  it('turns a resolved spec into the createPipelineRun input', () => {
    const spec = load('pipeline.yaml');

    const input = jobSpecToPipelineRunInput(spec, { name: 'pipeline' });

    expect(input).toMatchObject({ name: 'pipeline', kind: 'pipeline', targetFolder: spec.outputDir, baseSeed: 7 });
    expect(input.steps[0]).toMatchObject({ name: 'character-sheet', baseCount: 4, childrenPerSelected: 2, naming: 'unique', overwrite: false });
    expect(input.spec).toEqual(spec.source);
  });
});
