/**
 * Several gateways: every replica delivers every change to its own connections. One replica
 * runs in this process, the other is the real entry point (`src/cli/gateway.ts`) in a child
 * process, which also shows that SIGTERM closes its sockets with 1001.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Db } from '../../../db/client';
import { createRedis } from '../../../src/redis';
import {
  config,
  connect,
  mintToken,
  startGateway,
  startJwks,
  statusPublisher,
  testDb,
  endpoint,
  type Endpoint,
  type RunningGateway,
} from './fixtures';

let jwks: Awaited<ReturnType<typeof startJwks>>;
let db: Db;
let redis: Redis;
let local: RunningGateway;
let child: ChildProcess;
let remote: Endpoint;

/** Starts `npm run gateway`'s entry point on a random port; resolves once it listens. */
async function spawnGateway(jwksUrl: string): Promise<{ child: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/gateway.ts'], {
    env: {
      ...process.env,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      JWKS_URL: jwksUrl,
      JWT_ISSUER: config.JWT_ISSUER,
      JWT_AUDIENCE: config.JWT_AUDIENCE,
      GATEWAY_RESUME_WAIT_MS: '100',
      GATEWAY_ID: 'replica-test-child',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'gateway listening' && entry.port) resolve(entry.port);
      } catch {
        // not a log line
      }
    });
  });
  return { child: proc, port };
}

beforeAll(async () => {
  jwks = await startJwks();
  db = testDb();
  redis = createRedis(config.REDIS_URL);
  local = await startGateway(jwks.url, db);
  const spawned = await spawnGateway(jwks.url);
  child = spawned.child;
  remote = endpoint(spawned.port);
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await local?.stop();
  await jwks?.close();
  redis?.disconnect();
  await db?.destroy();
});

describe('two gateway processes', () => {
  it('both deliver every change, with the same ids, to their own connections', async () => {
    const user = randomUUID();
    const order = randomUUID();
    const token = await mintToken(jwks.keys, user);
    const onLocal = await connect(local, user, { token });
    const onRemote = await connect(remote, user, { token });
    expect((await onLocal.next()).type).toBe('snapshot');
    expect((await onRemote.next()).type).toBe('snapshot');

    const publish = statusPublisher(redis);
    const sent = [];
    for (const status of ['validated', 'paid', 'processing'] as const)
      sent.push(await publish(user, order, status));
    const ids = sent.map((s) => s.id);
    expect((await onLocal.take(3)).map((m) => m.id)).toEqual(ids);
    expect((await onRemote.take(3)).map((m) => m.id)).toEqual(ids);
    await onLocal.close();

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await onRemote.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await exited).toBe(0);
  });
});
