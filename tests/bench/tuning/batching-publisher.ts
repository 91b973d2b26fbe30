/**
 * An order-event publisher that batches, for the tuning experiments: the worker's publisher
 * (src/kafka.ts) sends one request per event and, being idempotent with one request in
 * flight, makes every activity on the worker wait behind the previous event's acks=all round
 * trip. This one gathers what arrives within `lingerMs` (or while the previous batch is in
 * flight) into one sendBatch request: same producer settings, same validation, same key and
 * headers, so per-order order is kept (an order's events are produced one after another).
 */
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import { orderEvent } from '../../../src/contract/events';
import { topicFor } from '../../../src/contract/topics';
import type { OrderEventPublisher } from '../../../src/kafka';

interface Pending {
  topic: string;
  message: Message;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export async function createBatchingPublisher(
  kafka: Kafka,
  { lingerMs = 2, maxBatch = 500 } = {},
): Promise<OrderEventPublisher> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sending = false;

  const flush = async (): Promise<void> => {
    timer = undefined;
    if (sending || queue.length === 0) return;
    sending = true;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.message]);
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      sending = false;
      // What queued up meanwhile goes at once: it has waited a whole round trip already.
      if (queue.length > 0) void flush();
    }
  };

  return {
    publish(event) {
      const valid = orderEvent.parse(event);
      const topic = topicFor(valid.event_type);
      if (!topic) return Promise.reject(new Error(`event type ${valid.event_type} has no topic`));
      return new Promise<void>((resolve, reject) => {
        queue.push({
          topic,
          message: {
            key: valid.order_id,
            value: JSON.stringify(valid),
            headers: { event_id: valid.event_id, event_type: valid.event_type },
          },
          resolve,
          reject,
        });
        if (!sending && !timer) timer = setTimeout(() => void flush(), lingerMs);
      });
    },
    async disconnect() {
      if (timer) clearTimeout(timer);
      await flush();
      await producer.disconnect();
    },
  };
}
