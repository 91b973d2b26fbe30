/**
 * The stack itself: each engine the apps depend on answers, at the configured address, in
 * the shape the apps expect. When this file fails, every other integration test would fail
 * for the same reason; this one says which engine is at fault.
 */
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../src/contract/orders';
import { ALL_TOPICS } from '../../src/contract/topics';

const config = loadConfig();

describe('local stack', () => {
  it('Postgres runs queries on the orders database as the application role', async () => {
    const sql = postgres(config.DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<
        { db: string; ok: number }[]
      >`select current_database() as db, 1 as ok`;
      expect(row).toEqual({ db: new URL(config.DATABASE_URL).pathname.slice(1), ok: 1 });
    } finally {
      await sql.end();
    }
  });

  it('Redis answers PING', async () => {
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('Kafka has every order topic, with 3 partitions each', async () => {
    const admin = new Kafka({ brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...ALL_TOPICS] });
      const partitions = Object.fromEntries(
        metadata.topics.map((t) => [t.name, t.partitions.length]),
      );
      expect(ALL_TOPICS).toHaveLength(8);
      for (const topic of ALL_TOPICS) expect(partitions[topic], topic).toBe(3);
    } finally {
      await admin.disconnect();
    }
  });

  it('Temporal serves the namespace, with the order search attributes registered', async () => {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    try {
      const namespace = config.TEMPORAL_NAMESPACE;
      const described = await connection.workflowService.describeNamespace({ namespace });
      expect(described.namespaceInfo?.name).toBe(namespace);

      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace,
      });
      const { IndexedValueType } = proto.temporal.api.enums.v1;
      const expectedType = {
        Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
      };
      for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
        expect(customAttributes?.[name], name).toBe(expectedType[type]);
      }
    } finally {
      await connection.close();
    }
  });
});
