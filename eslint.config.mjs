import nx from '@nx/eslint-plugin';

// Pack rules (see README "Architecture"): the dependency graph is the design, lint enforces it.
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '**/.nx', '**/tmp', '**/out'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
            { sourceTag: 'type:lib', notDependOnLibsWithTags: ['type:app'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:pipeline', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:job-orchestration', onlyDependOnLibsWithTags: ['scope:pipeline'] },
            { sourceTag: 'scope:comfyui', onlyDependOnLibsWithTags: ['scope:job-orchestration', 'scope:pipeline'] },
            { sourceTag: 'scope:database', onlyDependOnLibsWithTags: ['scope:settings'] },
            { sourceTag: 'scope:settings', onlyDependOnLibsWithTags: [] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@kiln/*/*'], message: 'Import a package only through its index.ts.' }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
