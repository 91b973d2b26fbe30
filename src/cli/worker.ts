/**
 * `npm run worker`: the process that runs order workflows and their activities. Scale out by
 * running more copies: they share the `orders` task queue.
 */
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createDb } from '../../db/client';
import { createRedis } from '../redis';
import { createKafka, createOrderEventPublisher } from '../kafka';
import { connectTemporalClient, connectWorkerConnection } from '../temporal/connection';
import { createActivityDeps } from '../worker/deps';
import { createOrderWorker } from '../worker/order-worker';
import { startDeliveryScanner } from '../worker/delivery-scans';
import { createStrandedOrderMetrics, startStrandedOrderSweep } from '../worker/stranded-orders';
import { installTemporalRuntime } from '../worker/runtime';
import { createMetricsRegistry } from '../metrics';
import { serveMetrics } from '../metrics-server';
import { createSagaMetrics } from '../../activities/metrics';
import { registerOrderBacklogGauges } from '../observability/backlog-gauges';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker', config.LOG_LEVEL);
  installTemporalRuntime(config);
  const registry = createMetricsRegistry('worker');
  const metricsServer = await serveMetrics(registry, config.WORKER_METRICS_PORT);
  const db = createDb(config);
  registerOrderBacklogGauges(registry, db);
  const redis = createRedis(config.REDIS_URL);
  const events = await createOrderEventPublisher(createKafka(config, 'order-worker'));
  const connection = await connectWorkerConnection(config);
  const client = await connectTemporalClient(config);

  const worker = await createOrderWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    deps: {
      ...createActivityDeps(config, db, redis, events),
      metrics: createSagaMetrics(registry),
    },
    config,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
  });
  const scanner = startDeliveryScanner(redis, client, logger);
  const sweep = startStrandedOrderSweep(db, client, logger, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    afterMs: config.STRANDED_ORDER_AFTER_SECONDS * 1000,
    intervalMs: config.STRANDED_ORDER_SWEEP_INTERVAL_SECONDS * 1000,
    metrics: createStrandedOrderMetrics(registry),
  });

  // Worker.run() resolves after shutdown() once in-flight tasks are done.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down: finishing in-flight activities');
      worker.shutdown();
    });
  }
  logger.info({ taskQueue: worker.options.taskQueue }, 'worker ready');
  await worker.run();
  await scanner.stop();
  await sweep.stop();
  await events.disconnect();
  await client.connection.close();
  await connection.close();
  redis.disconnect();
  await db.destroy();
  metricsServer?.close();
  logger.info('worker stopped');
}

main().catch((err: unknown) => {
  console.error('worker failed', err);
  process.exit(1);
});
