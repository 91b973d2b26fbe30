/**
 * A tuning variant of the order worker (src/cli/worker.ts), for `npm run bench --
 * --worker-entry tests/bench/tuning/worker.ts`: the same activities, dependencies, metrics
 * and delivery scanner, built with Worker.create directly so settings that the order worker
 * does not expose yet can be measured before anyone changes it:
 *
 *   BENCH_WORKER_*                 worker settings (worker-options.ts)
 *   BENCH_KAFKA_LINGER_MS          batch order events for this long (batching-publisher.ts)
 *   BENCH_WORKFLOW_BUNDLE_PATH     load the workflow bundle from this file (built there with
 *                                  bundleWorkflowCode when missing) instead of running webpack
 *
 * It logs, at warn level so the bench's LOG_LEVEL shows it, how long start-up took.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { createSagaMetrics } from '../../../activities/metrics';
import { createDb } from '../../../db/client';
import { loadConfig } from '../../../src/config';
import { createKafka, createOrderEventPublisher } from '../../../src/kafka';
import { createLogger } from '../../../src/logger';
import { createMetricsRegistry } from '../../../src/metrics';
import { serveMetrics } from '../../../src/metrics-server';
import { createRedis } from '../../../src/redis';
import { connectTemporalClient, connectWorkerConnection } from '../../../src/temporal/connection';
import { startDeliveryScanner } from '../../../src/worker/delivery-scans';
import { createActivityDeps } from '../../../src/worker/deps';
import { ORDER_WORKFLOWS_PATH } from '../../../src/worker/order-worker';
import { installTemporalRuntime } from '../../../src/worker/runtime';
import { createBatchingPublisher } from './batching-publisher';
import { workerOptions } from './worker-options';

async function workflowSource(): Promise<
  { workflowBundle: { code: string } } | { workflowsPath: string }
> {
  const file = process.env.BENCH_WORKFLOW_BUNDLE_PATH;
  if (!file) return { workflowsPath: ORDER_WORKFLOWS_PATH };
  if (!existsSync(file)) {
    const { code } = await bundleWorkflowCode({ workflowsPath: ORDER_WORKFLOWS_PATH });
    writeFileSync(file, code);
  }
  return { workflowBundle: { code: readFileSync(file, 'utf8') } };
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = loadConfig();
  const logger = createLogger('worker', config.LOG_LEVEL);
  installTemporalRuntime(config);
  const registry = createMetricsRegistry('worker');
  const metricsServer = await serveMetrics(registry, config.WORKER_METRICS_PORT);
  const db = createDb(config);
  const redis = createRedis(config.REDIS_URL);
  const linger = process.env.BENCH_KAFKA_LINGER_MS;
  const kafka = createKafka(config, 'order-worker');
  const events = linger
    ? await createBatchingPublisher(kafka, { lingerMs: Number(linger) })
    : await createOrderEventPublisher(kafka);
  const connection = await connectWorkerConnection(config);
  const client = await connectTemporalClient(config);
  const source = await workflowSource();
  const options = workerOptions(config);

  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...source,
    activities: createActivities({
      ...createActivityDeps(config, db, redis, events),
      metrics: createSagaMetrics(registry),
    }),
    ...options,
  });
  const scanner = startDeliveryScanner(redis, client, logger);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => worker.shutdown());
  logger.warn(
    {
      startupMs: Date.now() - startedAt,
      bundle: 'workflowBundle' in source ? 'prebuilt' : 'webpack',
      kafkaLingerMs: linger ?? null,
      options,
    },
    'tuning worker ready',
  );
  await worker.run();
  await scanner.stop();
  await events.disconnect();
  await client.connection.close();
  await connection.close();
  redis.disconnect();
  await db.destroy();
  metricsServer?.close();
}

main().catch((err: unknown) => {
  console.error('tuning worker failed', err);
  process.exit(1);
});
