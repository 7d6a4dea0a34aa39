const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  passWithNoTests: true,
  moduleFileExtensions: ['ts', 'js', 'json'],
  // ky is ESM-only: let ts-jest turn it into CommonJS like our own sources.
  transformIgnorePatterns: ['node_modules/(?!ky/)'],
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
};
