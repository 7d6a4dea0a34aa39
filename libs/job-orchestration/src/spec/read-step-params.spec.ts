import { JobOrchestrationError } from '../errors';
import { jobSpecToPipelineRunInput } from './job-spec-to-pipeline-run';
import { parseJobSpec } from './parse-job-spec';
import { readStepParams } from './read-step-params';

describe('readStepParams', () => {
  it('reads back the params jobSpecToPipelineRunInput stores, as JSON would return them', () => {
    const parsed = parseJobSpec(
      `
version: 1
output: { dir: out }
defaults: { checkpoint: a.safetensors, seed: 9, width: 512, height: 768, cfg: 6.5, sampler: euler, timeout: 45 }
steps:
  - { name: Sheet, prompt: a knight, negative_prompt: blur, count: 2, children: 1, denoise: 0.4 }
`,
      { baseDir: '/tmp/kiln-specs' },
    );
    if (!parsed.ok) throw new Error(parsed.message);
    const [stored] = jobSpecToPipelineRunInput(parsed.spec, { name: 'x' }).steps;

    const params = readStepParams({ name: stored.name, params: JSON.parse(JSON.stringify(stored.params)) });

    expect(params).toEqual(parsed.spec.steps[0].params);
    expect(params).toMatchObject({ displayName: 'Sheet', prompt: 'a knight', negativePrompt: 'blur', seed: { mode: 'fixed', base: 9 }, timeoutSeconds: 45, denoise: 0.4 });
  });

  it('keeps only the fields of StepParams', () => {
    const params = readStepParams({ name: 'x', params: { displayName: 'X', seed: { mode: 'random', base: 3 }, timeoutSeconds: 60, legacy: true } });

    expect(params).toEqual({ displayName: 'X', seed: { mode: 'random' }, timeoutSeconds: 60 });
  });

  it('names the step and every unusable field', () => {
    const step = { id: 'a1b2', name: 'sheet', params: { displayName: 'Sheet', seed: { mode: 'fixed', base: 1.5 }, width: '512', prompt: 7 } };

    const read = () => readStepParams(step);

    expect(read).toThrow(JobOrchestrationError);
    expect(read).toThrow(expect.objectContaining({ code: 'STEP_DEFINITION_INVALID' }));
    expect(read).toThrow(/step sheet \(a1b2\) has unusable params: prompt is not a string: 7; width is not a number: "512"; seed is not a seed policy: \{"mode":"fixed","base":1.5\} \(expected/);
  });

  it('refuses params that are not an object', () => {
    expect(() => readStepParams({ name: 'sheet', params: null })).toThrow(/step sheet has unusable params: params are not an object/);
    expect(() => readStepParams({ name: 'sheet', params: [] })).toThrow(expect.objectContaining({ code: 'STEP_DEFINITION_INVALID' }));
  });
});
