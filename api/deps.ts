/**
 * Everything the API needs from the outside world, injected into `createApp`. The entry point
 * passes real clients; tests pass real clients too, plus a clock they can move.
 */
import type { Redis } from 'ioredis';
import type { Client } from '@temporalio/client';
import type { Config } from '../src/config';
import type { Db } from '../db/client';
import type { SigningKeys } from '../src/auth/keys';
import type { Logger } from '../src/logger';
import type { Registry } from '../src/metrics';
import type { AttemptSettings } from '../src/webhooks/attempt';
import type { SecretBox } from '../src/webhooks/secret-box';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface AppDeps {
  config: Config;
  db: Db;
  redis: Redis;
  temporal: Client;
  keys: SigningKeys;
  logger: Logger;
  clock?: Clock;
  /** Where request metrics go and what /metrics exposes; a fresh registry when omitted. */
  metrics?: Registry;
  /** Mounts the /api/v1/webhooks routes when given (secret encryption and SSRF policy). */
  webhooks?: { secrets: SecretBox; attempt: AttemptSettings };
}
