/**
 * The dispatcher's consumer as a separate process, for the kill-and-restart test: the
 * production startDispatcher, pointed at the test run's topics (WEBHOOK_TEST_TOPICS), group
 * and task queue. Prints "ready" once consuming. WEBHOOK_TEST_KILL_AFTER_STARTS=n makes it kill
 * itself after its n-th workflow start.
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
  const temporal = await connectTemporalClient(config);
  const killAfter = Number(process.env.WEBHOOK_TEST_KILL_AFTER_STARTS ?? 0);
  if (killAfter > 0) {
    // Fault injection: die (SIGKILL, no cleanup) right after the n-th workflow start, before
    // the message that asked for it has its offset resolved: killed mid-batch by construction.
    let started = 0;
    const start = temporal.workflow.start.bind(temporal.workflow);
    temporal.workflow.start = (async (...args: Parameters<typeof start>) => {
      const handle = await start(...args);
      if (++started >= killAfter) process.kill(process.pid, 'SIGKILL');
      return handle;
    }) as typeof temporal.workflow.start;
  }
  await startDispatcher({
    kafka: createKafka(config, 'webhook-dispatcher-child'),
    groupId: config.WEBHOOK_CONSUMER_GROUP,
    topics,
    db: createDb(config),
    temporal,
    settings: dispatchSettingsFromConfig(config),
    logger: createLogger('webhook-dispatcher-child', config.LOG_LEVEL),
    sessionTimeoutMs: 6000,
    rebalanceTimeoutMs: 10_000,
    onCrash: () => process.exit(1),
  });
  console.log('ready');
}

main().catch((err: unknown) => {
  console.error('dispatcher child failed', err);
  process.exit(1);
});
