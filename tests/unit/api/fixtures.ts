/**
 * An app over lazy clients that never connect: enough for everything the API decides before
 * it touches a backing service (routing, headers, validation, authentication, documents).
 */
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../../api/app';
import type { Clock } from '../../../api/deps';
import { createDb } from '../../../db/client';
import { generateSigningKeys, type SigningKeys } from '../../../src/auth/keys';
import { createTokenSigner } from '../../../src/auth/tokens';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { createRedis } from '../../../src/redis';
import { attemptSettingsFromConfig } from '../../../src/webhooks/attempt';
import { createSecretBox } from '../../../src/webhooks/secret-box';
import { randomBytes } from 'node:crypto';

export const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  MAX_BODY_BYTES: '2048',
  RATE_LIMITS_ENABLED: 'false',
  DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none',
  REDIS_URL: 'redis://127.0.0.1:1',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
});

let keys: Promise<SigningKeys> | undefined;
export const testKeys = () => (keys ??= generateSigningKeys());

export async function offlineApp(clock?: Clock) {
  const db = createDb(config);
  const redis = createRedis(config.REDIS_URL, { lazyConnect: true });
  const temporal = new Client({
    connection: Connection.lazy({ address: config.TEMPORAL_ADDRESS }),
  });
  const app = createApp({
    config,
    db,
    redis,
    temporal,
    keys: await testKeys(),
    logger: createLogger('test', 'silent'),
    webhooks: {
      secrets: createSecretBox(randomBytes(32)),
      attempt: attemptSettingsFromConfig(config),
    },
    ...(clock ? { clock } : {}),
  });
  return { app, close: () => db.destroy() };
}

export async function accessToken(
  role: 'user' | 'admin' | 'system' = 'user',
  now: () => Date = () => new Date(),
) {
  const signer = createTokenSigner(
    await testKeys(),
    {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    },
    now,
  );
  return (await signer.signAccess({ userId: '2b7f3f9e-4c1a-4d7e-9a55-0d1b6c1e2f30', role })).token;
}

export const PROBLEM = 'application/problem+json';
