const { findForbiddenEdges } = require('./find-forbidden-edges.cjs');
const allowed = require('./allowed-dependencies.cjs');

function graph(edges: Array<[string, string]>, extraNodes: string[] = []) {
  const names = new Set([...Object.keys(allowed), ...extraNodes]);
  const nodes = Object.fromEntries([...names].map((n) => [n, { name: n }]));
  const dependencies: Record<string, Array<{ source: string; target: string }>> = {};
  for (const [source, target] of edges) (dependencies[source] ??= []).push({ source, target });
  return { graph: { nodes, dependencies } };
}

describe('findForbiddenEdges', () => {
  it('accepts the edges of the pack table', () => {
    expect(
      findForbiddenEdges(
        graph([
          ['job-orchestration', 'pipeline'],
          ['comfyui', 'pipeline'],
          ['comfyui', 'job-orchestration'],
          ['worker', 'comfyui'],
          ['cli', 'comfyui-emulator'],
        ]),
        allowed,
      ),
    ).toEqual([]);
  });

  it('names a lower pack that depends on a higher one', () => {
    expect(findForbiddenEdges(graph([['pipeline', 'comfyui']]), allowed)).toEqual([
      'forbidden dependency: pipeline → comfyui (pipeline may depend on: nothing)',
    ]);
  });

  it('names a lib that depends on an app and an app that depends on an app', () => {
    const problems = findForbiddenEdges(graph([['comfyui', 'worker'], ['cli', 'worker']]), allowed);

    expect(problems).toEqual([
      'forbidden dependency: comfyui → worker (comfyui may depend on: job-orchestration, pipeline, settings)',
      expect.stringContaining('forbidden dependency: cli → worker'),
    ]);
  });

  it('ignores npm packages and flags projects missing from the table', () => {
    const g = graph([['pipeline', 'npm:typeorm']], ['mystery']);

    expect(findForbiddenEdges(g, allowed)).toEqual([
      "project 'mystery' is not in the pack table (tools/workspace/src/allowed-dependencies.cjs)",
    ]);
  });
});
