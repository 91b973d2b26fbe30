// One-off: terminate orderWorkflows left running on api-tests-*/api-bench-* queues, delete their orders.
import { Client, Connection } from '@temporalio/client';
import { createDb } from './db/client';
import { loadConfig } from './src/config';
const config = loadConfig();
const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
const client = new Client({ connection });
const db = createDb(config);
const ids: string[] = [];
for await (const wf of client.workflow.list({ query: `ExecutionStatus = 'Running' AND WorkflowType = 'orderWorkflow'` })) {
  if (!/^api-(tests|bench)-/.test(wf.taskQueue)) continue;
  await client.workflow.getHandle(wf.workflowId).terminate('api test/bench cleanup').catch(() => undefined);
  ids.push(wf.workflowId.replace(/^order-/, ''));
}
for (let i = 0; i < ids.length; i += 500) await db.deleteFrom('orders').where('order_id', 'in', ids.slice(i, i + 500)).execute();
console.log(`terminated and deleted ${ids.length}`);
await db.destroy();
await connection.close();
