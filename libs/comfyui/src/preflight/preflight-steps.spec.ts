import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deriveSeed, MAX_SEED, parseJobSpec, type ObjectInfo, type ResolvedStep } from '@kiln/job-orchestration';
import { comfyUiFixturesDir, workflowCorpusDir } from '@kiln/testing';
import { preflightSteps } from './preflight-steps';
import type { ServerCatalogue } from './server-catalogues';

const CAPTURED: ObjectInfo = JSON.parse(readFileSync(path.join(comfyUiFixturesDir(), 'responses/get_object_info_full.json'), 'utf8'));

/** The captured catalogue with the corpus's SD 1.5 checkpoint and KSampler's seed limited to `maxSeed`. */
function server(maxSeed?: number): ServerCatalogue {
  const objectInfo: ObjectInfo = structuredClone(CAPTURED);
  (objectInfo['CheckpointLoaderSimple'].input.required?.['ckpt_name'] as unknown[])[0] = ['v1-5-pruned-emaonly.safetensors'];
  if (maxSeed !== undefined) (objectInfo['KSampler'].input.required?.['seed'][1] as { max: number }).max = maxSeed;
  return { server: 'http://a', label: 'http://a', identity: 'ComfyUI 0.3.64', objectInfo, readAt: new Date() };
}

function stepOf(seed: string, count = 1): ResolvedStep {
  const spec = `version: 1\noutput: { dir: out }\nitems:\n  - { name: cat, workflow: sd15-txt2img.api.json, prompt: a cat, seed: ${seed}, count: ${count} }\n`;
  const result = parseJobSpec(spec, { baseDir: workflowCorpusDir(), sourceName: 'jobs.yaml' });
  if (!result.ok) throw new Error(result.message);
  return result.spec.steps[0];
}

const seedProblems = (step: ResolvedStep, catalogue: ServerCatalogue) =>
  preflightSteps([step], [catalogue])[0].servers[0].problems.filter((p) => p.input === 'seed');

describe('preflightSteps: seeds are checked with the lowest and highest value the jobs will get', () => {
  it('when seed is random, passes a server whose seed input takes every seed Kiln draws', () => {
    expect(preflightSteps([stepOf('random')], [server()])[0].runnable).toEqual(['http://a']);
  });

  it('when seed is random and the seed input stops below MAX_SEED, refuses it with the top of the draw range, not seed 0', () => {
    const problems = seedProblems(stepOf('random'), server(2 ** 32 - 1));

    expect(problems).toEqual([
      expect.objectContaining({ code: 'value_bigger_than_max', nodeId: '3', value: MAX_SEED, message: expect.stringContaining('seed: random draws seeds from 0 to 9007199254740991') }),
    ]);
  });

  it('when seeds are derived, checks the derived seeds of every image: a limit just above the largest passes, just below it fails naming it', () => {
    const step = stepOf('7', 5);
    const seeds = [0, 1, 2, 3, 4].map((i) => deriveSeed(7, step.name, i));
    const highest = Math.max(...seeds);

    expect(seedProblems(step, server(highest))).toEqual([]);
    expect(seedProblems(step, server(highest - 1))).toEqual([
      expect.objectContaining({ code: 'value_bigger_than_max', value: highest, message: expect.stringContaining('seed: 7 derives this seed') }),
    ]);
  });

  it('when seed is workflow, checks the graph own seed (156680208700286) and nothing else', () => {
    expect(seedProblems(stepOf('workflow'), server(156680208700286))).toEqual([]);
    expect(seedProblems(stepOf('workflow'), server(156680208700285))).toEqual([
      expect.objectContaining({ code: 'value_bigger_than_max', value: 156680208700286, message: '156680208700286 is bigger than the maximum 156680208700285' }),
    ]);
  });
});
