/** Integration tests share one Temporal dev server, moto and the CUR endpoint started in globalSetup. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Two cores: one jest worker per core; each test file brings its own Temporal worker.
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/support/sequencer.js',
  testTimeout: 120_000,
  verbose: true,
};
