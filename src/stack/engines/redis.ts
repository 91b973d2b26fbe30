/**
 * Redis 7: the project's own instance, its data in `<state>/redis`.
 *
 * Append-only file on (fsync every second), so the status streams the gateway replays on
 * reconnect, the rate-limit counters and the idempotency keys survive a restart like the
 * rest of the stack's data. Bound to 127.0.0.1, with protected mode on, and logging to
 * standard output, which the launcher appends to `<state>/logs/redis.log`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Engine } from '../components';
import { installDebianPackages } from '../install/apt';
import { withTimeout } from '../readiness';
import { urlPort, type StackSettings } from '../settings';
import { which } from '../shell';

const DEBIAN_BINARY = '/usr/bin/redis-server';

export function redisEngine(settings: StackSettings): Engine {
  const url = settings.config.REDIS_URL;
  const port = urlPort(url, 6379);
  const dataDir = settings.paths.redis;
  const binary = (): string => which('redis-server') ?? DEBIAN_BINARY;

  return {
    name: 'redis',
    external: settings.external.redis,
    address: `127.0.0.1:${port}`,
    // Redis rewrites its process title to "redis-server 127.0.0.1:6379".
    marker: 'redis-server',
    // SIGTERM: Redis flushes the append-only file and exits.
    stop: { signal: 'SIGTERM', timeoutMs: 15_000 },
    ports: [port],
    readyTimeoutMs: 15_000,
    probe: () => answersPing(url),

    async install() {
      if (!which('redis-server') && !existsSync(DEBIAN_BINARY))
        await installDebianPackages(['redis-server']);
    },

    async prepare() {
      mkdirSync(dataDir, { recursive: true });
    },

    daemon() {
      return {
        name: 'redis',
        command: binary(),
        args: [
          '--bind',
          '127.0.0.1',
          '--port',
          String(port),
          '--protected-mode',
          'yes',
          '--dir',
          dataDir,
          '--appendonly',
          'yes',
          '--appendfsync',
          'everysec',
          '--daemonize',
          'no',
          '--logfile',
          '',
        ],
        cwd: dataDir,
      };
    },
  };
}

/** Ready means a PING is answered with PONG. */
async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // Failures surface through connect(); this only keeps ioredis from printing them too.
  client.on('error', () => {});
  try {
    await withTimeout(client.connect(), 3000, 'redis connect');
    return (await withTimeout(client.ping(), 2000, 'redis PING')) === 'PONG';
  } finally {
    client.disconnect();
  }
}
