import { jobOutputNames } from './output-nodes';

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
