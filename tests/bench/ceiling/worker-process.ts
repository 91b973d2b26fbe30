/**
 * The ceiling's worker: a process of its own, as the order worker is, so the two compete for
 * the machine the same way. Same server, same settings (tuning/worker-options.ts), its own
 * task queue (BENCH_CEILING_TASK_QUEUE). Started by ceiling/run.ts with an IPC channel:
 *
 *   → parent  { type: 'ready' }                     polling
 *   → parent  { type: 'delivered', workflowId }     a workflow reached its terminal status
 *   ← parent  { type: 'stop' } or SIGTERM           finish in-flight tasks and exit
 *
 * The delivery scan is played as the real worker plays it (src/worker/delivery-scans.ts):
 * shipped workflows are collected and signalled `delivered` every 100 ms, once they are
 * BENCH_CEILING_DELIVERY_DELAY_MS old (default 0: the bench's SIM_DELIVERY_DELAY_MS). A long
 * delay keeps many workflows open, which is how the worker's memory per cached workflow and
 * the cost of evicting them are measured.
 */
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../../../src/config';
import { temporalConnectionOptions } from '../../../src/temporal/connection';
import { deliveredSignal } from '../../../workflows/definitions';
import { workerOptions } from '../tuning/worker-options';
import { createCeilingActivities } from './activities';

const SCAN_INTERVAL_MS = 100;

type ToParent = { type: 'ready' } | { type: 'delivered'; workflowId: string };

function tell(message: ToParent): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const taskQueue = process.env.BENCH_CEILING_TASK_QUEUE;
  if (!taskQueue) throw new Error('BENCH_CEILING_TASK_QUEUE is not set');
  const metricsPort = Number(process.env.BENCH_CEILING_METRICS_PORT ?? 0);
  Runtime.install({
    // Quiet, like the order worker at LOG_LEVEL=warn (webpack's build report included).
    logger: new DefaultLogger('WARN'),
    telemetryOptions: {
      ...(metricsPort > 0
        ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } }
        : {}),
      logging: { filter: { core: 'WARN', other: 'WARN' } },
    },
  });
  const options = temporalConnectionOptions(config);
  const connection = await NativeConnection.connect({ address: options.address! });
  const client = new Client({
    connection: await Connection.connect(options),
    namespace: config.TEMPORAL_NAMESPACE,
  });

  const deliveryDelayMs = Number(process.env.BENCH_CEILING_DELIVERY_DELAY_MS ?? 0);
  let shipped: { workflowId: string; dueAt: number }[] = [];
  const scan = setInterval(() => {
    const now = Date.now();
    const due = shipped.filter((s) => s.dueAt <= now);
    shipped = shipped.filter((s) => s.dueAt > now);
    for (const { workflowId } of due) {
      client.workflow
        .getHandle(workflowId)
        .signal(deliveredSignal, { deliveredAt: new Date().toISOString() })
        .catch(() => shipped.push({ workflowId, dueAt: now + 1000 }));
    }
  }, SCAN_INTERVAL_MS);

  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./workflow.ts', import.meta.url)),
    activities: createCeilingActivities({
      shipped: (id) => shipped.push({ workflowId: id, dueAt: Date.now() + deliveryDelayMs }),
      delivered: (id) => tell({ type: 'delivered', workflowId: id }),
    }),
    ...workerOptions(config),
  });
  const stop = (): void => worker.shutdown();
  process.once('SIGTERM', stop);
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'stop') stop();
  });
  // The parent going away must not leave this worker polling forever.
  process.once('disconnect', stop);
  const running = worker.run();
  tell({ type: 'ready' });
  await running;
  clearInterval(scan);
  await client.connection.close();
  await connection.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('ceiling worker failed', err);
    process.exit(1);
  },
);
