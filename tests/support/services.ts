/**
 * Real clients for integration tests (Postgres, Redis, Kafka, Temporal), from the same config
 * the processes use, plus small helpers to await what the system does instead of sleeping.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { loadConfig } from '../../src/config';
import { createDb } from '../../db/client';
import { createRedis } from '../../src/redis';
import { createKafka } from '../../src/kafka';
import { ALL_TOPICS } from '../../src/contract/topics';
import { parseOrderEvent, type OrderEvent } from '../../src/contract/events';
import { hashPassword } from '../../src/auth/password';
import type { Db } from '../../db/client';

export const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });

export function realClients() {
  const db = createDb(config);
  const redis = createRedis(config.REDIS_URL);
  const kafka = createKafka(config, `test-${randomUUID().slice(0, 8)}`);
  return {
    db,
    redis,
    kafka,
    async close() {
      redis.disconnect();
      await db.destroy();
    },
  };
}

/** Polls `check` until it returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A customer row with a random email; returns its id. */
export async function createCustomer(
  db: Db,
  overrides: { phone?: string; is_active?: boolean } = {},
): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({
      email: `customer-${randomUUID()}@example.com`,
      full_name: 'Test Customer',
      password_hash: await cachedHash(),
      phone: overrides.phone ?? null,
      ...(overrides.is_active === undefined ? {} : { is_active: overrides.is_active }),
    })
    .returning('user_id')
    .executeTakeFirstOrThrow();
  return row.user_id;
}
let hash: Promise<string> | undefined;
const cachedHash = () => (hash ??= hashPassword('test-password-1'));

/** A product of its own per test, so stock assertions never race with other tests. */
export async function createProduct(db: Db, stock: number, price = '10.00'): Promise<string> {
  const row = await db
    .insertInto('products')
    .values({ sku: `TEST-${randomUUID()}`, name: 'Test product', price, stock })
    .returning('product_id')
    .executeTakeFirstOrThrow();
  return row.product_id;
}

/** Collects every order event from all topics (own consumer group, from the beginning). */
export async function collectKafkaEvents(kafka: ReturnType<typeof createKafka>) {
  const events: OrderEvent[] = [];
  const consumer: Consumer = kafka.consumer({
    groupId: `test-${randomUUID()}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...ALL_TOPICS], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value) events.push(parseOrderEvent(message.value));
    },
  });
  return {
    forOrder: (orderId: string) => events.filter((e) => e.order_id === orderId),
    stop: () => consumer.disconnect(),
  };
}
