/**
 * The dispatcher's consumer as a separate process, for the kill-and-restart test: the
 * production startDispatcher, pointed at the test run's topics (WEBHOOK_TEST_TOPICS), group
 * and task queue. Prints "ready" once consuming.
 */
import { createDb } from '../../../db/client';
import { loadConfig } from '../../../src/config';
import { createKafka } from '../../../src/kafka';
import { createLogger } from '../../../src/logger';
import { connectTemporalClient } from '../../../src/temporal/connection';
import { dispatchSettingsFromConfig, startDispatcher } from '../../../src/webhooks/dispatcher';

async function main(): Promise<void> {
  const config = loadConfig();
  const topics = (process.env.WEBHOOK_TEST_TOPICS ?? '').split(',').filter(Boolean);
  if (topics.length === 0) throw new Error('WEBHOOK_TEST_TOPICS is required');
  await startDispatcher({
    kafka: createKafka(config, 'webhook-dispatcher-child'),
    groupId: config.WEBHOOK_CONSUMER_GROUP,
    topics,
    db: createDb(config),
    temporal: await connectTemporalClient(config),
    settings: dispatchSettingsFromConfig(config),
    logger: createLogger('webhook-dispatcher-child', config.LOG_LEVEL),
    sessionTimeoutMs: 6000,
    onCrash: () => process.exit(1),
  });
  console.log('ready');
}

main().catch((err: unknown) => {
  console.error('dispatcher child failed', err);
  process.exit(1);
});
