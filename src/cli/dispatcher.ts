/**
 * `npm run dispatcher`: the webhook dispatcher. Runs the Kafka consumer that schedules one
 * delivery workflow per (webhook, event), and the Temporal worker that delivers them; either
 * half alone with WEBHOOK_DISPATCHER_ROLES=consumer or =worker. Scale out by running more
 * copies: consumers share the Kafka group, workers the task queue.
 */
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createDb } from '../../db/client';
import { createKafka } from '../kafka';
import { connectTemporalClient, connectWorkerConnection } from '../temporal/connection';
import { attemptSettingsFromConfig } from '../webhooks/attempt';
import {
  dispatchSettingsFromConfig,
  startDispatcher,
  type Dispatcher,
} from '../webhooks/dispatcher';
import { secretBoxFromConfig } from '../webhooks/secret-box';
import { createWebhookWorker } from '../webhooks/worker';
import { createMetricsRegistry } from '../metrics';
import { serveMetrics } from '../metrics-server';
import { registerWebhookBacklogGauges } from '../observability/backlog-gauges';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('webhook-dispatcher', config.LOG_LEVEL);
  const roles = new Set(config.WEBHOOK_DISPATCHER_ROLES);
  const db = createDb(config);
  const registry = createMetricsRegistry('dispatcher');
  registerWebhookBacklogGauges(registry, db);
  const metricsServer = await serveMetrics(registry, config.DISPATCHER_METRICS_PORT);
  const closers: (() => Promise<void>)[] = [
    () => db.destroy(),
    async () => void metricsServer?.close(),
  ];

  let dispatcher: Dispatcher | undefined;
  if (roles.has('consumer')) {
    const temporal = await connectTemporalClient(config);
    closers.unshift(() => temporal.connection.close());
    dispatcher = await startDispatcher({
      kafka: createKafka(config, 'webhook-dispatcher'),
      groupId: config.WEBHOOK_CONSUMER_GROUP,
      db,
      temporal,
      settings: dispatchSettingsFromConfig(config),
      logger,
      onCrash: (err) => {
        console.error('webhook dispatcher consumer failed for good', err);
        process.exit(1);
      },
    });
  }

  const connection = roles.has('worker') ? await connectWorkerConnection(config) : undefined;
  const worker = connection
    ? await createWebhookWorker({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.WEBHOOK_TASK_QUEUE,
        deps: {
          db,
          secrets: secretBoxFromConfig(config),
          attempt: attemptSettingsFromConfig(config),
          disableAfterMs: config.WEBHOOK_DISABLE_AFTER_MS,
          clock: () => new Date(),
          logger,
        },
        maxConcurrentActivities: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
      })
    : undefined;

  // The Temporal runtime also stops the worker on SIGINT/SIGTERM by itself; stop the consumer
  // (it commits what it has resolved) and the worker if it is still running.
  const stopped = new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.info(
          { signal },
          'shutting down: committing offsets, finishing in-flight deliveries',
        );
        void (async () => {
          await dispatcher?.stop();
          if (worker?.getState() === 'RUNNING') worker.shutdown();
        })()
          .catch((err: unknown) => logger.error({ err }, 'error while stopping'))
          .finally(resolve);
      });
    }
  });

  logger.info(
    { roles: [...roles], taskQueue: config.WEBHOOK_TASK_QUEUE },
    'webhook dispatcher ready',
  );
  await Promise.all([worker?.run(), stopped]);
  await connection?.close();
  for (const close of closers) await close();
  logger.info('webhook dispatcher stopped');
}

main().catch((err: unknown) => {
  console.error('webhook dispatcher failed', err);
  process.exit(1);
});
