import { comfyUiFixturesDir } from '@kiln/testing';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkApiWorkflow, type ApiWorkflow } from './api-workflow';
import { getBuiltinWorkflow } from './builtin-templates';
import { detectWorkflowBindings } from './detect-bindings';

const captured = `${comfyUiFixturesDir()}/workflows`;

function readWorkflow(file: string): ApiWorkflow {
  const checked = checkApiWorkflow(JSON.parse(fs.readFileSync(path.join(captured, file), 'utf8')));
  if (!checked.ok) throw new Error(checked.problem);
  return checked.workflow;
}

describe('detectWorkflowBindings', () => {
  it('finds every parameter of a stock txt2img graph by node class', () => {
    const detected = detectWorkflowBindings(JSON.parse(JSON.stringify(getBuiltinWorkflow('txt2img').graph)));

    expect(detected.bindings).toEqual(getBuiltinWorkflow('txt2img').bindings);
    expect(detected.unplaced).toEqual([{ param: 'image', reason: 'the workflow has no LoadImage node' }]);
  });

  it('finds the LoadImage of an img2img graph and leaves the size unplaced', () => {
    const detected = detectWorkflowBindings(JSON.parse(JSON.stringify(getBuiltinWorkflow('img2img').graph)));

    expect(detected.bindings.image).toBe('10.inputs.image');
    expect(detected.unplaced.map((u) => u.param)).toEqual(['width', 'height']);
  });

  it('reports cleanly what the captured no-model empty_save workflow cannot take', () => {
    const detected = detectWorkflowBindings(readWorkflow('empty_save.json'));

    expect(detected.bindings).toEqual({ filename_prefix: '2.inputs.filename_prefix' });
    expect(detected.unplaced).toEqual(expect.arrayContaining([
      { param: 'seed', reason: 'the workflow has no KSampler node' },
      { param: 'prompt', reason: 'the workflow has no KSampler node' },
      { param: 'checkpoint', reason: 'the workflow has no CheckpointLoaderSimple node' },
      { param: 'width', reason: 'the workflow has no EmptyLatentImage node' },
      { param: 'image', reason: 'the workflow has no LoadImage node' },
    ]));
  });

  it.each([
    ['load_scale_invert_save.json', { image: '1.inputs.image', filename_prefix: '4.inputs.filename_prefix' }],
    ['ckpt_runtime_error.json', { checkpoint: '1.inputs.ckpt_name', width: '2.inputs.width', height: '2.inputs.height', filename_prefix: '4.inputs.filename_prefix' }],
    ['ws_fresh.json', { filename_prefix: '3.inputs.filename_prefix' }],
    ['partial_invalid.json', { filename_prefix: '2.inputs.filename_prefix' }],
    ['no_outputs.json', {}],
  ])('places what it can in the captured %s', (file, bindings) => {
    const detected = detectWorkflowBindings(readWorkflow(file));

    expect(detected.bindings).toEqual(bindings);
    const placed = new Set(Object.keys(bindings));
    expect(detected.unplaced.every((u) => !placed.has(u.param) && u.reason.length > 0)).toBe(true);
  });

  it('says no SaveImage when a workflow has no output', () => {
    expect(detectWorkflowBindings(readWorkflow('no_outputs.json')).unplaced).toContainEqual({
      param: 'filename_prefix', reason: 'the workflow has no SaveImage node',
    });
  });

  it('refuses to guess between two KSamplers', () => {
    const graph = JSON.parse(JSON.stringify(getBuiltinWorkflow('txt2img').graph)) as ApiWorkflow;
    graph['30'] = JSON.parse(JSON.stringify(graph['3']));

    const detected = detectWorkflowBindings(graph);

    expect(detected.bindings.seed).toBeUndefined();
    expect(detected.unplaced).toContainEqual({ param: 'seed', reason: 'the workflow has several KSampler nodes (3, 30)' });
  });

  it('tells a UI-format export apart from an API-format one', () => {
    expect(checkApiWorkflow({ nodes: [], links: [] })).toMatchObject({ ok: false, problem: expect.stringContaining('UI-format') });
  });
});
