import { defineConfig } from 'vitest/config';

/**
 * One project per tier, each runnable alone: `npx vitest run --project unit`. One DynamoDB Local
 * serves the whole run (started by the root global setup); every test file makes its own table.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/support/dynamodb-global-setup.ts'],
    // The default on two cores is one worker; e2e files spend most of their time waiting on DynamoDB Local,
    // Chromium and timers, so two at once take the suite from about 6 to about 4 minutes there.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } },
      { test: { name: 'workflow', include: ['test/workflow/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
    ],
  },
});
