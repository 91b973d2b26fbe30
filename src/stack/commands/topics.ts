/**
 * `tsx src/stack/cli.ts topics`: what a Kafka client sees on the configured brokers, each
 * topic with its partitions, replication factor and message count (the sum of the partitions'
 * end offsets; retention may have dropped older messages). A quick look without installing
 * Kafka's own command-line tools, which pull in Kafka Connect, Jetty and Jersey.
 */
import { withKafkaAdmin } from '../kafka-admin';
import { dim, say, table } from '../output';
import { loadStackSettings } from '../settings';

export async function topicsCommand(): Promise<number> {
  const { config } = loadStackSettings();
  const rows = await withKafkaAdmin(config, async (admin) => {
    const names = (await admin.listTopics()).filter((name) => !name.startsWith('__')).sort();
    const metadata = await admin.fetchTopicMetadata({ topics: names });
    return Promise.all(
      metadata.topics.map(async (topic) => {
        const offsets = await admin.fetchTopicOffsets(topic.name);
        const messages = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
        const replication = topic.partitions[0]?.replicas.length ?? 0;
        return [topic.name, String(topic.partitions.length), String(replication), String(messages)];
      }),
    );
  });
  rows.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
  say(table([['TOPIC', 'PARTITIONS', 'REPLICATION', 'MESSAGES'], ...rows]));
  say(dim(`\nbrokers: ${config.KAFKA_BROKERS.join(',')}`));
  return 0;
}
