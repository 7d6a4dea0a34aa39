module.exports = {
  displayName: 'cli',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/cli',
  // The end-to-end specs spawn the bundled CLI: build it (and a migrated embedded database) once.
  globalSetup: '<rootDir>/tests/support/global-setup.cjs',
  testTimeout: 60_000,
};
