import nx from '@nx/eslint-plugin';
import packTable from './tools/workspace/src/allowed-dependencies.cjs';
import { depConstraintsFrom } from './tools/workspace/src/dep-constraints.cjs';

// Pack rules (see README "Architecture"): the dependency graph is the design, lint enforces it.
// The table is tools/workspace/src/allowed-dependencies.cjs, the same one `workspace:check-packs` reads.
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
          depConstraints: depConstraintsFrom(packTable),
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
