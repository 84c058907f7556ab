/**
 * One project per tier, each runnable alone: `npm run test:unit` (jest --selectProjects unit). One
 * DynamoDB Local serves the whole run (started by the global setup); every test file makes its own table.
 *
 * Tests run as ES modules (NODE_OPTIONS=--experimental-vm-modules, set by the npm scripts): the code
 * uses `import.meta` and ESM-only packages (@middy/core 7, ulid 3, jose 6, commander 15), and the local
 * runtime imports handlers dynamically, so CommonJS would need shims for all of them. @swc/jest
 * strips the types (TypeScript 7 has no transformer API); jest caches its output between runs.
 */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023', experimental: { keepImportAttributes: true } }, module: { type: 'es6' } }];

/** A tier's files and its test and hook timeouts (jest has one test timeout per run: test/support/tier-environment.ts applies these). */
const tier = (name, testTimeout, hookTimeout = testTimeout) => ({
  displayName: name,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  testEnvironment: '<rootDir>/test/support/tier-environment.ts',
  testEnvironmentOptions: { testTimeout, hookTimeout },
});

/** @type {import('jest').Config} */
export default {
  globalSetup: '<rootDir>/test/support/dynamodb-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/dynamodb-global-teardown.ts',
  // e2e files spend most of their time waiting on DynamoDB Local, Chromium and timers, so two at once
  // take the suite from about 6 to about 4 minutes on two cores.
  maxWorkers: 2,
  projects: [
    tier('unit', 5_000, 10_000),
    tier('integration', 30_000, 60_000),
    tier('workflow', 60_000),
    tier('infra', 120_000, 10_000),
    tier('e2e', 120_000),
  ],
};
