/**
 * Replays the recorded history of every saga path against today's workflow code. A change
 * that running orders could not replay (a reordered step, a removed activity) fails here,
 * in CI, instead of in production. Re-record with `RECORD_HISTORIES=1 npx vitest run
 * tests/integration/saga/order-workflow.test.ts` (and `npm test -- --no-checks
 * tests/integration/saga/stranded-orders.test.ts` with it set) only for intended, patched changes.
 */
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { ORDER_WORKFLOWS_PATH } from '../../src/worker/order-worker';

const dir = new URL('./histories/', import.meta.url);

describe('recorded order histories', () => {
  it('replay deterministically on the current workflow code', async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(9);
    const histories = await Promise.all(
      files.map(async (file) => ({
        workflowId: file.replace(/\.json$/, ''),
        history: historyFromJSON(JSON.parse(await readFile(new URL(file, dir), 'utf8'))),
      })),
    );
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: ORDER_WORKFLOWS_PATH });
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
