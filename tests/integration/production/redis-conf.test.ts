/**
 * docker/redis/redis.conf, the configuration compose gives Redis, loaded by Debian's Redis 7
 * (the same major version as the redis:7 image) on a private port and folder: it starts, and
 * persistence and eviction are what the platform relies on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDebianPackage } from '../../support/debian';
import { freePort, REPO_ROOT } from './support/nginx';

const redisServer = ensureDebianPackage('redis-server');

describe.skipIf(!redisServer.ok)(
  `docker/redis/redis.conf${redisServer.ok ? '' : ` (skipped: ${redisServer.reason})`}`,
  () => {
    let dir = '';
    let child: ChildProcess | undefined;
    let client: Redis | undefined;
    let output = '';

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'redis-conf-test-'));
      const port = await freePort(16379);
      // Only the container's paths and port change; every other line is the committed file.
      child = spawn(
        redisServer.ok ? redisServer.path : 'redis-server',
        [path.join(REPO_ROOT, 'docker/redis/redis.conf'), '--dir', dir, '--port', String(port)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      client = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      // Refused connections while the server starts are expected: connect() reports them.
      client.on('error', () => undefined);
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
        try {
          await client.connect();
          break;
        } catch {
          if (Date.now() > deadline) throw new Error(`redis-server did not start: ${output}`);
          await sleep(100);
        }
      }
    });

    afterAll(async () => {
      client?.disconnect();
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('starts with append-only persistence, fsync every second', async () => {
      expect(await client!.ping()).toBe('PONG');
      expect(await client!.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client!.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    });

    it('never evicts keys to make room', async () => {
      expect(await client!.config('GET', 'maxmemory-policy')).toEqual([
        'maxmemory-policy',
        'noeviction',
      ]);
    });
  },
);
