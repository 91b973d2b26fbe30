/**
 * Workflow test environments on the real Temporal CLI (`existing-path`), the same binary the
 * stack runs: installed by the stack launcher, passed in as TEMPORAL_CLI_PATH by `npm test`.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CustomerIdKey, OrderStatusKey, OrderTotalKey } from '../../src/contract/search-attributes';

export function temporalCliPath(): string {
  const candidates = [
    process.env.TEMPORAL_CLI_PATH,
    path.join(homedir(), '.cache/order-platform/temporal-venv/bin/temporal'),
  ].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      `Temporal CLI not found (tried ${candidates.join(', ')}); run npm test or npm run stack:up`,
    );
  return found;
}

export function createWorkflowTestEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: [OrderStatusKey, CustomerIdKey, OrderTotalKey],
      ui: false,
    },
  });
}
