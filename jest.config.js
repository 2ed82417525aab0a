/** Two projects: fast unit specs beside the code, and the slower end-to-end suites under test/. */
const base = {
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@skblab/(wire|kernel|contracts|runtime|userland|shell|distributed|service|topology|packetdrill)$':
      '<rootDir>/libs/$1/src',
    '^@skblab/(wire|kernel|contracts|runtime|userland|shell|distributed|service|topology|packetdrill)/(.*)$':
      '<rootDir>/libs/$1/src/$2',
  },
};
module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // Real Kafka and Redis for the suites that need them: found, or started (test/infra/global-setup.ts).
      globalSetup: '<rootDir>/test/infra/global-setup.ts',
      globalTeardown: '<rootDir>/test/infra/global-teardown.ts',
    },
  ],
};
