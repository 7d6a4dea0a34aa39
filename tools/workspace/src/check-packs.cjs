#!/usr/bin/env node
// Pack check: writes the project graph with `nx graph --file` and fails on any edge outside the table.
const { execFileSync } = require('node:child_process');
const { mkdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const allowed = require('./allowed-dependencies.cjs');
const { findForbiddenEdges } = require('./find-forbidden-edges.cjs');

const root = process.argv[2] ?? process.cwd();
const graphFile = join(root, 'tmp', 'graph.json');
mkdirSync(join(root, 'tmp'), { recursive: true });
execFileSync(process.execPath, [require.resolve('nx/bin/nx', { paths: [root] }), 'graph', `--file=${graphFile}`], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, NX_DAEMON: 'false' },
});
const graph = JSON.parse(readFileSync(graphFile, 'utf8'));
const problems = findForbiddenEdges(graph, allowed);
const projects = Object.keys(graph.graph.nodes).sort();
if (problems.length) {
  console.error(`pack check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`pack check passed: ${projects.length} projects (${projects.join(', ')}), every dependency allowed`);
