/**
 * Compares an `nx graph --file` JSON with the allowed table.
 * Returns one readable line per problem: forbidden edges and projects the table does not know.
 */
function findForbiddenEdges(graphJson, allowed) {
  const { nodes, dependencies } = graphJson.graph;
  const problems = [];
  for (const name of Object.keys(nodes)) {
    if (!(name in allowed)) problems.push(`project '${name}' is not in the pack table (tools/workspace/src/allowed-dependencies.cjs)`);
  }
  for (const [source, edges] of Object.entries(dependencies)) {
    for (const edge of edges) {
      if (!(edge.target in nodes)) continue; // npm packages are not packs
      const permitted = allowed[source] ?? [];
      if (!permitted.includes(edge.target)) {
        problems.push(`forbidden dependency: ${source} → ${edge.target} (${source} may depend on: ${permitted.join(', ') || 'nothing'})`);
      }
    }
  }
  return problems;
}

module.exports = { findForbiddenEdges };
