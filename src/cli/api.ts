/**
 * `npm run api`: serves the HTTP API (api/app.ts) on API_HOST:API_PORT. This file only wires
 * real clients and the server; SIGTERM/SIGINT stop accepting connections, let in-flight
 * requests finish (10 s at most), then close every client.
 */
import { serve } from '@hono/node-server';
import { createApp } from '../../api/app';
import { createDb } from '../../db/client';
import { loadSigningKeys } from '../auth/keys';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createMetricsRegistry } from '../metrics';
import { createRedis } from '../redis';
import { connectTemporalClient } from '../temporal/connection';
import { attemptSettingsFromConfig } from '../webhooks/attempt';
import { secretBoxFromConfig } from '../webhooks/secret-box';

const logger = createLogger('api', process.env.LOG_LEVEL);

async function main(): Promise<void> {
  const config = loadConfig();
  logger.level = config.LOG_LEVEL;
  const db = createDb(config);
  // No offline queue: while Redis is down, cache and rate-limit calls fail at once (fail open)
  // instead of piling up behind the reconnect.
  const redis = createRedis(config.REDIS_URL, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  const temporal = await connectTemporalClient(config);
  const keys = await loadSigningKeys(config);

  const webhooks = {
    secrets: secretBoxFromConfig(config),
    attempt: attemptSettingsFromConfig(config),
  };
  const app = createApp({
    config,
    db,
    redis,
    temporal,
    keys,
    logger,
    webhooks,
    metrics: createMetricsRegistry('api'),
  });
  const server = serve(
    { fetch: app.fetch, hostname: config.API_HOST, port: config.API_PORT },
    (info) =>
      logger.info({ address: info.address, port: info.port, kid: keys.kid }, 'api listening'),
  );
  server.on('error', (err) => {
    logger.fatal({ err }, 'api server failed');
    process.exit(1);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api shutting down');
    const force = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time');
      process.exit(1);
    }, 10_000);
    force.unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await temporal.connection.close();
    redis.disconnect();
    await db.destroy();
    logger.info('api stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop(signal).catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'api failed to start');
  process.exit(1);
});
