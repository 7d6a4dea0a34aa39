/**
 * The pack table as `@nx/enforce-module-boundaries` depConstraints, so lint and the pack check read
 * one table. Every project is tagged `scope:<its name>` in its project.json and may import only the
 * scopes the table lists for it.
 */
function depConstraintsFrom(table) {
  return Object.entries(table).map(([project, dependencies]) => ({
    sourceTag: `scope:${project}`,
    onlyDependOnLibsWithTags: dependencies.map((dependency) => `scope:${dependency}`),
  }));
}

module.exports = { depConstraintsFrom };
