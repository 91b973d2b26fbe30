/**
 * The webhook dispatcher's Kafka half: a consumer in its own group on every order topic that
 * schedules the deliveries of each event (./schedule.ts). A message's offset is resolved only
 * once every delivery it asks for is durably scheduled, and only resolved offsets are
 * committed, so a dispatcher killed mid-batch loses nothing, and the messages it reads again
 * schedule nothing twice.
 */
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { parseOrderEvent, type OrderEvent } from '../contract/events';
import { ALL_TOPICS } from '../contract/topics';
import type { Logger } from '../logger';
import { scheduleDeliveries, type DispatchDeps } from './schedule';

export { dispatchSettingsFromConfig, scheduleDeliveries } from './schedule';
export type { DispatchDeps, DispatchSettings } from './schedule';

export interface DispatcherOptions extends DispatchDeps {
  kafka: Kafka;
  groupId: string;
  topics?: readonly string[];
  /** How many partitions are worked on at once; each partition stays in order. */
  partitionsConsumedConcurrently?: number;
  /** Kafka group session timeout: how soon a dead dispatcher's partitions move on. */
  sessionTimeoutMs?: number;
  /** How long a rebalance waits for members to rejoin (a dead one holds it up this long). */
  rebalanceTimeoutMs?: number;
  /** Called when the consumer has crashed for good (kafkajs gave up restarting it). */
  onCrash?: (err: unknown) => void;
}

export interface Dispatcher {
  stop(): Promise<void>;
}

function parse(message: KafkaMessage, logger: Logger): OrderEvent | undefined {
  if (!message.value) return undefined;
  try {
    return parseOrderEvent(message.value);
  } catch {
    // A message that is not an order event can never be delivered: skip it, don't block on it.
    logger.warn(
      { offset: message.offset, key: message.key?.toString() },
      'skipping a message that is not an order event',
    );
    return undefined;
  }
}

export async function startDispatcher(options: DispatcherOptions): Promise<Dispatcher> {
  const { kafka, logger } = options;
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    maxWaitTimeInMs: 250,
    ...(options.sessionTimeoutMs
      ? {
          sessionTimeout: options.sessionTimeoutMs,
          heartbeatInterval: Math.floor(options.sessionTimeoutMs / 6),
        }
      : {}),
    ...(options.rebalanceTimeoutMs ? { rebalanceTimeout: options.rebalanceTimeoutMs } : {}),
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error(
      { err: payload.error, restart: payload.restart },
      'webhook dispatcher consumer crashed',
    );
    if (!payload.restart) options.onCrash?.(payload.error);
  });
  await consumer.connect();
  // A new group starts at the beginning: no event is lost to the group's first start, and
  // webhooks only receive events that happened after they were registered anyway.
  await consumer.subscribe({ topics: [...(options.topics ?? ALL_TOPICS)], fromBeginning: true });
  await consumer.run({
    // Offsets are resolved by hand, after scheduling; only resolved offsets are ever committed.
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
    eachBatch: async ({
      batch,
      resolveOffset,
      heartbeat,
      commitOffsetsIfNecessary,
      isRunning,
      isStale,
    }) => {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        const event = parse(message, logger);
        if (event) {
          const started = await scheduleDeliveries(options, event);
          if (started > 0)
            logger.debug({ eventId: event.event_id, started }, 'deliveries scheduled');
        }
        resolveOffset(message.offset);
        await heartbeat();
      }
      await commitOffsetsIfNecessary();
    },
  });
  logger.info({ groupId: options.groupId }, 'webhook dispatcher consuming');
  return {
    async stop() {
      await consumer.disconnect();
    },
  };
}
