/**
 * Kafka client and the order-event producer. The producer is idempotent with acks=all; the
 * message key is the order id, so all events of one order land in one partition, in order.
 * Every event is validated against the shared schema before it leaves the process.
 */
import {
  Kafka,
  logLevel,
  Partitioners,
  type KafkaConfig,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { Config } from './config';
import { orderEvent, type OrderEvent } from './contract/events';
import { topicFor } from './contract/topics';

export type KafkaSettings = Pick<
  Config,
  | 'KAFKA_BROKERS'
  | 'KAFKA_CLIENT_ID'
  | 'KAFKA_SSL'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
>;

export function kafkaClientConfig(
  config: KafkaSettings,
  clientId = config.KAFKA_CLIENT_ID,
): KafkaConfig {
  const sasl: SASLOptions | undefined =
    config.KAFKA_SASL_MECHANISM && config.KAFKA_SASL_USERNAME && config.KAFKA_SASL_PASSWORD
      ? ({
          mechanism: config.KAFKA_SASL_MECHANISM,
          username: config.KAFKA_SASL_USERNAME,
          password: config.KAFKA_SASL_PASSWORD,
        } as SASLOptions)
      : undefined;
  return {
    clientId,
    brokers: config.KAFKA_BROKERS,
    ssl: config.KAFKA_SSL,
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 100 },
  };
}

export function createKafka(config: KafkaSettings, clientId?: string): Kafka {
  return new Kafka(kafkaClientConfig(config, clientId));
}

export interface OrderEventPublisher {
  publish(event: OrderEvent): Promise<void>;
  disconnect(): Promise<void>;
}

function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  return producer.connect().then(() => producer);
}

/**
 * Connects an idempotent producer and returns a publisher of order events.
 *
 * After a failed send the producer is replaced. kafkajs rolls a partition's sequence number
 * back when a produce request fails, although the broker may have appended the batch (the
 * connection broke after the write, as in a broker restart): the next message would reuse
 * that number, and the broker would acknowledge it as a duplicate without writing it. A new
 * producer gets a new producer id and fresh sequences; the failed event itself is sent again
 * by the activity's retry (consumers dedupe by event_id). The short chaos run lost one event
 * on Kafka this way.
 */
export async function createOrderEventPublisher(kafka: Kafka): Promise<OrderEventPublisher> {
  let producer: Promise<Producer> = Promise.resolve(await connectProducer(kafka));
  return {
    async publish(event) {
      const valid = orderEvent.parse(event);
      const topic = topicFor(valid.event_type);
      if (!topic) throw new Error(`event type ${valid.event_type} has no topic`);
      const used = producer;
      try {
        const current = await used;
        await current.send({
          topic,
          acks: -1,
          messages: [
            {
              key: valid.order_id,
              value: JSON.stringify(valid),
              headers: { event_id: valid.event_id, event_type: valid.event_type },
            },
          ],
        });
      } catch (err) {
        if (producer === used) {
          const next = connectProducer(kafka);
          next.catch(() => undefined); // a failed connect surfaces at the next publish
          producer = next;
          used.then((old) => old.disconnect()).catch(() => undefined);
        }
        throw err;
      }
    },
    async disconnect() {
      const current = await producer.catch(() => undefined);
      await current?.disconnect();
    },
  };
}
