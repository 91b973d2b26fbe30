import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { createDb } from './db/client';
import { loadConfig } from './src/config';
const config = loadConfig();
const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
const client = new Client({ connection });
const db = createDb(config);
const q = 'api-probe-' + Date.now();
const pct = (a: number[]) => { a.sort((x, y) => x - y); return `p50 ${a[Math.floor(a.length / 2)]!.toFixed(1)} p99 ${a[Math.floor(a.length * 0.99)]!.toFixed(1)}`; };
const t: number[] = []; const p: number[] = [];
for (let i = 0; i < 100; i++) {
  let s = performance.now();
  await client.workflow.start('orderWorkflow', { workflowId: `probe-${randomUUID()}`, taskQueue: q, args: [] });
  t.push(performance.now() - s);
  s = performance.now();
  await db.transaction().execute(async (trx) => { await sql`select 1`.execute(trx); await sql`select 2`.execute(trx); await sql`select 3`.execute(trx); });
  p.push(performance.now() - s);
}
console.log('temporal start', pct(t)); console.log('pg tx(3 stmts)', pct(p));
for await (const wf of client.workflow.list({ query: `TaskQueue = '${q}'` })) await client.workflow.getHandle(wf.workflowId).terminate('probe');
await db.destroy(); await connection.close();
