/**
 * The Kafka topics of the order events (ALL_TOPICS in the contract), created when missing.
 * The broker never auto-creates topics, so this is the one place they come from locally;
 * docker/ has the production equivalent (replication 3).
 *
 * Replication is 3 where the cluster has three brokers or more, and otherwise as many as it
 * has: 1 for the local single broker.
 *
 * Idempotent: existing topics are left alone. One that exists with fewer partitions than
 * expected is reported, not altered: adding partitions moves keys to other partitions and
 * breaks per-order ordering, which is a decision for a person, not a launcher.
 */
import { ALL_TOPICS } from '../../contract/topics';
import { withKafkaAdmin, type KafkaConnection } from '../kafka-admin';
import { warn } from '../output';

export const TOPIC_PARTITIONS = 3;

export interface TopicsResult {
  created: string[];
  existing: string[];
}

export function ensureTopics(config: KafkaConnection): Promise<TopicsResult> {
  return withKafkaAdmin(
    config,
    async (admin) => {
      const replicationFactor = Math.min(3, (await admin.describeCluster()).brokers.length);
      const present = new Set(await admin.listTopics());
      const missing = ALL_TOPICS.filter((topic) => !present.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({
          topics: missing.map((topic) => ({
            topic,
            numPartitions: TOPIC_PARTITIONS,
            replicationFactor,
          })),
          waitForLeaders: true,
        });
      }
      const existing = ALL_TOPICS.filter((topic) => present.has(topic));
      if (existing.length > 0) {
        const metadata = await admin.fetchTopicMetadata({ topics: [...existing] });
        for (const topic of metadata.topics) {
          if (topic.partitions.length < TOPIC_PARTITIONS) {
            warn(
              `topic ${topic.name} has ${topic.partitions.length} partitions, fewer than ${TOPIC_PARTITIONS}`,
            );
          }
        }
      }
      return { created: [...missing], existing: [...existing] };
    },
    5,
  );
}
