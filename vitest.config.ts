/**
 * Two vitest projects, split by what they need:
 *
 * - unit: pure code, no servers; files run in parallel, so the suite stays fast
 *   (`npm run test:unit` runs it alone).
 * - integration: real Postgres, Redis, Kafka and Temporal, and the running apps (end-to-end
 *   suites included). `npm test` brings those up first and passes their addresses in the
 *   environment (API_URL, GATEWAY_URL, TEMPORAL_CLI_PATH). Files run one at a time, because
 *   they share the servers and the database; timeouts allow for a saga that really runs.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/replay/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
