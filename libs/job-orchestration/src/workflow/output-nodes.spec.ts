import * as fs from 'node:fs';
import * as path from 'node:path';
import { comfyUiFixturesDir, workflowCorpusDir } from '@kiln/testing';
import type { ApiWorkflow } from './api-workflow';
import { chooseOutputs, jobOutputNames, type OutputCatalogue } from './output-nodes';

const serverCatalogue = JSON.parse(fs.readFileSync(path.join(comfyUiFixturesDir(), 'responses/get_object_info_full.json'), 'utf8')) as OutputCatalogue;

describe('chooseOutputs: which nodes yield images', () => {
  // sd15-txt2img plus a custom saver whose class name says nothing ("ArchiveWriter", an output_node
  // with an IMAGE input "pixels") and a "SaveImageToNowhere" that is no output node at all.
  const graph = JSON.parse(fs.readFileSync(path.join(workflowCorpusDir(), 'sd15-txt2img.api.json'), 'utf8')) as ApiWorkflow;
  graph['30'] = { class_type: 'ArchiveWriter', inputs: { pixels: ['8', 0], label: 'x' }, _meta: { title: 'Archive' } };
  graph['31'] = { class_type: 'SaveImageToNowhere', inputs: { images: ['8', 0] }, _meta: { title: 'Nowhere' } };
  const catalogue: OutputCatalogue = {
    ...serverCatalogue,
    ArchiveWriter: { output_node: true, input: { required: { pixels: ['IMAGE', {}], label: ['STRING', {}] } } },
    SaveImageToNowhere: { output_node: false, input: { required: { images: ['IMAGE', {}] } } },
  };

  it('with the server catalogue: every output_node with an IMAGE input, whatever its name', () => {
    const chosen = chooseOutputs(graph, { outputs: 'all' }, catalogue);

    expect(chosen.ok && chosen.choice.nodes.map((n) => n.id)).toEqual(['9', '30']);
  });

  it('offline: the stock classes and Save…Image/Preview…Image names', () => {
    const chosen = chooseOutputs(graph, { outputs: 'all' });

    expect(chosen.ok && chosen.choice.nodes.map((n) => n.id)).toEqual(['9', '31']);
  });
});

describe('jobOutputNames', () => {
  it('keeps the plain name for one image of one node', () => {
    expect(jobOutputNames('fox.png', [{ id: '9', slug: 'save-image' }], [1]).map((n) => n.name)).toEqual(['fox.png']);
  });

  it('numbers the images of a batch from 1, each with its batch index', () => {
    expect(jobOutputNames('fox.png', [{ id: '9', slug: 'save-image' }], [4])).toEqual([
      { nodeId: '9', batchIndex: 0, batchSize: 4, name: 'fox-1.png' },
      { nodeId: '9', batchIndex: 1, batchSize: 4, name: 'fox-2.png' },
      { nodeId: '9', batchIndex: 2, batchSize: 4, name: 'fox-3.png' },
      { nodeId: '9', batchIndex: 3, batchSize: 4, name: 'fox-4.png' },
    ]);
  });

  it('names the files of several nodes after each node, subgraph ids included, and numbers their batches', () => {
    const nodes = [{ id: '9', slug: 'first-pass' }, { id: '57:9', slug: 'node-57-9' }];

    expect(jobOutputNames('castle-2.png', nodes, [1, 2]).map((n) => n.name)).toEqual(['castle-2.first-pass.png', 'castle-2.node-57-9-1.png', 'castle-2.node-57-9-2.png']);
  });
});
