/**
 * Reads back, exactly, the order events produced during a run: a consumer group of its own
 * that seeks every partition to the end offset recorded before the run and reads up to the
 * one recorded after it. Events of other orders (other people's tests share the broker) are
 * skipped by key before being parsed.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../../src/config';
import { parseOrderEvent } from '../../../src/contract/events';
import { ALL_TOPICS } from '../../../src/contract/topics';
import { createKafka } from '../../../src/kafka';
import { withKafkaAdmin } from '../../../src/stack/kafka-admin';
import type { TopicOffsets } from './kafka-offsets';

export interface KafkaEventsRead {
  /** order id → event id → how many copies were on the topics. */
  byOrder: Map<string, Map<string, number>>;
  /** Messages of the run's orders that did not parse as order events. */
  invalid: number;
  /** Partitions not read to their recorded end before the timeout. */
  incomplete: string[];
}

export async function readRunEvents(
  config: Config,
  before: TopicOffsets,
  after: TopicOffsets,
  orderIds: ReadonlySet<string>,
  timeoutMs = 120_000,
): Promise<KafkaEventsRead> {
  const groupId = `bench-readback-${randomUUID()}`;
  const pending = new Map<string, number>();
  for (const topic of ALL_TOPICS) {
    for (const [p, end] of Object.entries(after[topic] ?? {})) {
      const start = before[topic]?.[Number(p)] ?? 0;
      if (end > start) pending.set(`${topic}:${p}`, end - 1);
    }
  }
  const byOrder = new Map<string, Map<string, number>>();
  let invalid = 0;
  if (pending.size === 0) return { byOrder, invalid, incomplete: [] };

  const consumer = createKafka(config, 'bench-readback').consumer({
    groupId,
    maxWaitTimeInMs: 200,
    maxBytes: 16 * 1024 * 1024,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...ALL_TOPICS], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const key = `${topic}:${partition}`;
        const last = pending.get(key);
        if (last !== undefined && Number(message.offset) >= last) pending.delete(key);
        const orderId = message.key?.toString() ?? '';
        if (!orderIds.has(orderId) || !message.value) return;
        try {
          const event = parseOrderEvent(message.value);
          const events = byOrder.get(event.order_id) ?? new Map<string, number>();
          events.set(event.event_id, (events.get(event.event_id) ?? 0) + 1);
          byOrder.set(event.order_id, events);
        } catch {
          invalid++;
        }
      },
    });
    // Seeks queue until the group has its partitions, then apply before the first fetch.
    for (const topic of ALL_TOPICS) {
      for (const p of Object.keys(after[topic] ?? {})) {
        consumer.seek({
          topic,
          partition: Number(p),
          offset: String(before[topic]?.[Number(p)] ?? 0),
        });
      }
    }
    const deadline = Date.now() + timeoutMs;
    while (pending.size > 0 && Date.now() < deadline) await sleep(100);
  } finally {
    await consumer.disconnect();
    await withKafkaAdmin(config, (admin) => admin.deleteGroups([groupId]), 3).catch(() => {});
  }
  return { byOrder, invalid, incomplete: [...pending.keys()] };
}
