module.exports = {
  displayName: 'worker',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/worker',
  // The process-level specs spawn the bundled worker: build it once (tests/support/global-setup.cjs).
  globalSetup: '<rootDir>/tests/support/global-setup.cjs',
  testTimeout: 60_000,
};
