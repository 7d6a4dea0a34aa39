import { comfyUiFixturesDir } from '@kiln/testing';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { baseJobKey, childJobKey } from '../naming/output-name';
import { deriveChildSeed, deriveSeed } from '../seeds/derive-seed';
import { loadJobSpecFile } from '../spec/parse-job-spec';
import type { ResolvedJobSpec, ResolvedStep } from '../spec/resolved-job-spec';
import { cloneJson, type ApiWorkflow } from '../workflow/api-workflow';
import { getBuiltinWorkflow } from '../workflow/builtin-templates';
import { buildJobPayload, type JobPayload } from './build-job-payload';

// Regenerate after an intended change: KILN_UPDATE_GOLDEN=1 npx jest -c libs/job-orchestration/jest.config.cjs build-job-payload
const goldenDir = path.join(__dirname, '../../tests/golden');
const fixtures = path.join(__dirname, '../../tests/fixtures');
const run = { id: '0b6a3c52-2d4f-4e0e-9a55-6f1b1f0c2a11', targetFolder: '/srv/kiln/out' };

function expectGolden(name: string, payload: JobPayload): void {
  const file = path.join(goldenDir, `${name}.json`);
  if (process.env['KILN_UPDATE_GOLDEN'] === '1') fs.writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
  expect(payload).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
}

function stepOf(file: string, name: string): ResolvedStep {
  const result = loadJobSpecFile(path.join(fixtures, file));
  if (!result.ok) throw new Error(result.message);
  const step = (result.spec as ResolvedJobSpec).steps.find((s) => s.name === name);
  if (!step) throw new Error(`no step ${name}`);
  return step;
}

describe('buildJobPayload', () => {
  it('fills the built-in txt2img template (golden)', () => {
    const step = stepOf('portraits.yaml', 'bob-the-brave');

    const payload = buildJobPayload({ kind: 'base_generation', run, step, seed: deriveSeed(42, step.name, 1), jobKey: baseJobKey(step.name, 1) });

    expectGolden('txt2img-bob-the-brave-2', payload);
    expect(payload.workflow['3'].inputs['seed']).toBe(257174345940156);
    expect(payload.workflow['9'].inputs['filename_prefix']).toBe(`kiln/bob-the-brave.base-1`);
    expect(payload.uploads).toEqual([]);
  });

  it('fills the built-in img2img template for a child and declares the parent upload (golden)', () => {
    const step = stepOf('pipeline.yaml', 'character-sheet');
    const parent = { id: '7d1e6f0a-5b8c-4c43-8a0e-2f9d3b6c1e55', imagePath: 'character-sheet/5f2c_20261114T093005Z.png', seed: 123 };

    const payload = buildJobPayload({
      kind: 'child_generation', run, step, parent,
      seed: deriveChildSeed(7, step.name, parent.seed, 0), jobKey: childJobKey(step.name, parent.id, 0),
    });

    expectGolden('img2img-character-sheet-child-0', payload);
    expect(payload.uploads).toEqual([{
      localPath: '/srv/kiln/out/character-sheet/5f2c_20261114T093005Z.png',
      uploadName: `kiln-${parent.id}.png`,
      role: 'parent',
      target: { nodeId: '10', input: 'image' },
    }]);
    expect(payload.workflow['10'].inputs['image']).toBe(`kiln-${parent.id}.png`);
    expect(payload.workflow['3'].inputs['denoise']).toBe(0.45);
  });

  it('applies bindings to a user workflow (golden)', () => {
    const step = stepOf('portraits.yaml', 'zoe-angstrom');

    const payload = buildJobPayload({ kind: 'base_generation', run, step, seed: deriveSeed(1234, step.name, 0), jobKey: baseJobKey(step.name, 0) });

    expectGolden('user-portrait-zoe-angstrom', payload);
    expect(payload.workflow['4'].inputs['ckpt_name']).toBe('dreamshaper_8.safetensors');
    expect(payload.workflow['6'].inputs['text']).toBe('portrait of a scientist');
    expect(payload.workflow['5'].inputs).toEqual({ width: 1024, height: 1024, batch_size: 1 });
    expect(payload.timeoutSeconds).toBe(120);
  });

  it('never mutates the template it builds from', () => {
    const step = stepOf('portraits.yaml', 'zoe-angstrom');
    const before = cloneJson(step.workflow);

    const payload = buildJobPayload({ kind: 'base_generation', run, step, seed: 5, jobKey: 'k' });
    payload.workflow['3'].inputs['seed'] = 99;

    expect(step.workflow).toEqual(before);
    expect(Object.isFrozen(getBuiltinWorkflow('txt2img').graph['3'].inputs)).toBe(true);
  });

  it('gives every SaveImage of a workflow its own unique prefix', () => {
    const graph = JSON.parse(fs.readFileSync(`${comfyUiFixturesDir()}/workflows/partial_invalid.json`, 'utf8')) as ApiWorkflow;
    const step = {
      name: 'x',
      workflow: { base: { source: 'partial_invalid.json', graph, bindings: { filename_prefix: '2.inputs.filename_prefix' } } },
      params: { displayName: 'x', seed: { mode: 'random' }, timeoutSeconds: 60 },
    };

    const payload = buildJobPayload({ kind: 'base_generation', run, step, seed: 1, jobKey: 'x.base-0' });

    expect(payload.workflow['2'].inputs['filename_prefix']).toBe(`kiln/x.base-0`);
    expect(payload.workflow['4'].inputs['filename_prefix']).toBe(`kiln/x.base-0-n4`);
  });

  it('refuses a step whose stored workflow is not a template', () => {
    const step = { name: 'broken', workflow: { base: 'txt2img' }, params: {} };

    expect(() => buildJobPayload({ kind: 'base_generation', run, step, seed: 1, jobKey: 'k' })).toThrow(
      expect.objectContaining({ code: 'STEP_DEFINITION_INVALID' }),
    );
  });
});
