/**
 * Kafka's view of a run: the end offset of every partition of every order topic, read before
 * and after. The difference per topic is how many events were produced in between (other
 * people's test runs on the same broker included, hence "about" in the report); the offsets
 * themselves bound the exact read of the run's events in kafka-events.ts.
 */
import type { Config } from '../../../src/config';
import { ALL_TOPICS } from '../../../src/contract/topics';
import { withKafkaAdmin } from '../../../src/stack/kafka-admin';

/** topic → partition → end offset (the offset the next message will get). */
export type TopicOffsets = Record<string, Record<number, number>>;

export async function endOffsets(config: Config): Promise<TopicOffsets> {
  return withKafkaAdmin(
    config,
    async (admin) => {
      const result: TopicOffsets = {};
      for (const topic of ALL_TOPICS) {
        const partitions = await admin.fetchTopicOffsets(topic);
        result[topic] = Object.fromEntries(partitions.map((p) => [p.partition, Number(p.high)]));
      }
      return result;
    },
    // The broker may have just been restarted by the chaos run: ride that out.
    5,
  );
}

export function offsetDeltas(before: TopicOffsets, after: TopicOffsets): Record<string, number> {
  const deltas: Record<string, number> = {};
  for (const topic of ALL_TOPICS) {
    let sum = 0;
    for (const [partition, end] of Object.entries(after[topic] ?? {})) {
      sum += end - (before[topic]?.[Number(partition)] ?? 0);
    }
    deltas[topic] = sum;
  }
  return deltas;
}
