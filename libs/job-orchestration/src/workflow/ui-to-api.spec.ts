import { comfyUiFixturesDir, workflowCorpusDir } from '@kiln/testing';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ObjectInfo } from './object-info';
import { convertUiWorkflow } from './ui-to-api';

const corpus = workflowCorpusDir();
const objectInfo = JSON.parse(fs.readFileSync(path.join(comfyUiFixturesDir(), 'responses/get_object_info_full.json'), 'utf8')) as ObjectInfo;
const uiFiles = fs.readdirSync(corpus).filter((file) => file.endsWith('.ui.json')).sort();
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(corpus, file), 'utf8'));

describe('convertUiWorkflow', () => {
  it('has UI-format twins of at least 3 corpus workflows', () => {
    expect(uiFiles.length).toBeGreaterThanOrEqual(3);
  });

  it.each(uiFiles)('converts %s to exactly its API export', (file) => {
    const converted = convertUiWorkflow(read(file), objectInfo);

    expect(converted).toEqual({ ok: true, workflow: read(file.replace('.ui.json', '.api.json')) });
  });

  it('inlines a PrimitiveNode, follows a Reroute, drops a muted node and a Note, and bridges a bypassed node', () => {
    const txt2img = read('sd15-txt2img.ui.json');
    const controlnet = read('sd15-controlnet.ui.json');
    const converted = convertUiWorkflow(txt2img, objectInfo);
    const bridged = convertUiWorkflow(controlnet, objectInfo);

    if (!converted.ok || !bridged.ok) throw new Error('not converted');
    expect(converted.workflow['3'].inputs['seed']).toBe(156680208700286);
    expect(converted.workflow['7'].inputs['clip']).toEqual(['4', 1]);
    expect(Object.keys(converted.workflow)).not.toEqual(expect.arrayContaining(['20']));
    expect(converted.workflow['23']).toBeUndefined();
    expect(converted.workflow['22']).toBeUndefined();
    expect(bridged.workflow['14'].inputs['image']).toEqual(['11', 0]);
    expect(bridged.workflow['30']).toBeUndefined();
  });


  it('flattens a subgraph to <instance id>:<inner id> nodes, through its input and output pseudo-nodes', () => {
    const converted = convertUiWorkflow(read('flux-dev-subgraph.ui.json'), objectInfo);

    if (!converted.ok) throw new Error(converted.problem);
    expect(converted.workflow['57:26'].inputs['conditioning']).toEqual(['6', 0]);
    expect(converted.workflow['6'].inputs['clip']).toEqual(['57:11', 0]);
    expect(converted.workflow['9'].inputs['images']).toEqual(['57:8', 0]);
    expect(converted.workflow['57']).toBeUndefined();
  });

  it('names a node class the server does not have, and a subgraph that contains itself', () => {
    const unknown = read('sd15-txt2img.ui.json');
    unknown.nodes[0].type = 'FancySampler';
    const looping = read('flux-dev-subgraph.ui.json');
    const definition = looping.definitions.subgraphs[0];
    definition.nodes.push({ id: 99, type: definition.id, mode: 0, inputs: [], outputs: [] });

    expect(convertUiWorkflow(unknown, objectInfo)).toMatchObject({ ok: false, problem: expect.stringContaining('is a FancySampler, which the server does not have') });
    expect(convertUiWorkflow(looping, objectInfo)).toMatchObject({ ok: false, problem: expect.stringContaining('nest more than 16 deep') });
  });
});
