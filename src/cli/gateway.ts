/**
 * `npm run gateway`: the WebSocket gateway on GATEWAY_PORT (8001). Wires real clients into
 * `createGateway` and stops cleanly on SIGTERM/SIGINT (sockets closed with 1001, sessions
 * removed from Redis). Scale out by running more copies behind the load balancer.
 */
import v8 from 'node:v8';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createRedis } from '../redis';
import { createDb } from '../../db/client';
import { remoteKeySource } from '../../gateway/auth';
import { loadGatewayOptions } from '../../gateway/options';
import { createGateway } from '../../gateway/server';

// Each connection is a few hundred bytes of live heap, but a burst of upgrades leaves their
// garbage interleaved with the connections' records, and V8 keeps every page holding one of
// them: without compaction a replica that took 16,000 connections at once held ~14 KiB of heap
// per connection long after, instead of ~3 (docs/gateway.md, "Benchmark"). Full GCs are rare
// here, so compacting at each costs little.
v8.setFlagsFromString('--compact-on-every-full-gc');

async function main(): Promise<void> {
  const config = loadConfig();
  const options = loadGatewayOptions();
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const redis = createRedis(config.REDIS_URL, { connectionName: 'gateway' });
  const subscriber = createRedis(config.REDIS_URL, { connectionName: 'gateway-subscriber' });
  const db = createDb({ ...config, DATABASE_POOL_MAX: Math.min(config.DATABASE_POOL_MAX, 5) });
  const gateway = createGateway({
    config,
    options,
    redis,
    subscriber,
    db,
    keys: remoteKeySource(config.JWKS_URL),
    logger,
  });
  await gateway.start();

  await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  }).then((signal) => logger.info({ signal }, 'shutting down: closing connections'));
  await gateway.stop();
  subscriber.disconnect();
  await redis.quit();
  await db.destroy();
}

main().catch((err: unknown) => {
  console.error('gateway failed', err);
  process.exit(1);
});
