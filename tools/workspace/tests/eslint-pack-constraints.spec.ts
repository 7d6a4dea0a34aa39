import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Lint and the pack check must read one table: the constraints ESLint actually applies (its
// --print-config) have to say what tools/workspace/src/allowed-dependencies.cjs says, no more.
const root = resolve(__dirname, '../../..');
const table: Record<string, string[]> = require('../src/allowed-dependencies.cjs');

interface DepConstraint {
  sourceTag: string;
  onlyDependOnLibsWithTags?: string[];
  notDependOnLibsWithTags?: string[];
}

function effectiveDepConstraints(file: string): DepConstraint[] {
  const printed = execFileSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--print-config', file], {
    cwd: root,
    encoding: 'utf8',
  });
  const rule = JSON.parse(printed).rules['@nx/enforce-module-boundaries'];
  return rule[1].depConstraints;
}

function projectTags(): Map<string, string[]> {
  const tags = new Map<string, string[]>();
  for (const folder of ['libs', 'apps', 'tools']) {
    for (const entry of readdirSync(join(root, folder))) {
      const file = join(root, folder, entry, 'project.json');
      if (!existsSync(file)) continue;
      const project = JSON.parse(readFileSync(file, 'utf8'));
      tags.set(project.name, project.tags ?? []);
    }
  }
  return tags;
}

describe('lint pack constraints', () => {
  it('are the pack table: one constraint per project, allowing exactly its listed dependencies', () => {
    const constraints = effectiveDepConstraints('libs/pipeline/src/index.ts');

    const expected = Object.entries(table).map(([project, deps]) => ({
      sourceTag: `scope:${project}`,
      onlyDependOnLibsWithTags: deps.map((dep) => `scope:${dep}`),
    }));
    expect(constraints).toEqual(expected);
  }, 60_000);

  it('reach every project: each project of the workspace is in the table and tagged scope:<name>', () => {
    const tags = projectTags();

    expect([...tags.keys()].sort()).toEqual(Object.keys(table).sort());
    for (const [project, projectTagList] of tags) {
      expect({ project, tags: projectTagList }).toEqual({ project, tags: expect.arrayContaining([`scope:${project}`]) });
    }
  });
});
