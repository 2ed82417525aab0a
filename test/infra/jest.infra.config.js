/**
 * Runs the broker proof test alone, with the real-broker globalSetup/globalTeardown:
 *   npx jest -c test/infra/jest.infra.config.js
 * (To use the brokers in another project, add the same globalSetup/globalTeardown to it.)
 */
const path = require('path');

module.exports = {
  rootDir: path.resolve(__dirname, '../..'),
  displayName: 'infra',
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/infra/brokers.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/infra/global-setup.ts',
  globalTeardown: '<rootDir>/test/infra/global-teardown.ts',
  testTimeout: 60_000,
};
