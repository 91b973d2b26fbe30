/**
 * The webhook dispatcher's Kafka half: a consumer in its own group on every order topic. For
 * each event it finds the order owner's active webhooks subscribed to the event's type and
 * schedules one delivery workflow per webhook (`webhook-<webhook_id>-<event_id>`): first a
 * webhook_deliveries row (unique per webhook and event), then the workflow, whose id Temporal
 * refuses to start twice. A message's offset is resolved only once every delivery it asks for
 * is durably scheduled, and only resolved offsets are committed, so a dispatcher killed
 * mid-batch loses nothing, and the redelivered messages schedule nothing twice.
 */
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Db } from '../../db/client';
import { parseOrderEvent, type OrderEvent } from '../contract/events';
import { ALL_TOPICS } from '../contract/topics';
import type { Config } from '../config';
import type { Logger } from '../logger';
import {
  WEBHOOK_DELIVERY_WORKFLOW_TYPE,
  webhookDeliveryWorkflowId,
  type PredecessorRef,
  type WebhookDeliveryInput,
} from '../../workflows/webhook-delivery-definitions';
import { eventMessage } from './payload';
import { retryScheduleFromConfig, type RetrySchedule } from './retry';
import { isDispatchedEventType, subscribesTo } from './event-types';
import {
  findDeliveryByEvent,
  findPredecessor,
  findSubscribers,
  orderTimeline,
  upsertDelivery,
  type Subscriber,
  type TimelineEvent,
  type WebhookDeliveryRow,
} from './store';

export interface DispatchSettings {
  taskQueue: string;
  retry: RetrySchedule;
  attemptTimeoutMs: number;
  orderRecheckMs: number;
  orderMaxWaitMs: number;
}

export function dispatchSettingsFromConfig(
  config: Pick<
    Config,
    | 'WEBHOOK_TASK_QUEUE'
    | 'WEBHOOK_DELIVERY_TIMEOUT_MS'
    | 'WEBHOOK_ORDER_RECHECK_MS'
    | 'WEBHOOK_ORDER_MAX_WAIT_MS'
    | 'WEBHOOK_RETRY_INITIAL_MS'
    | 'WEBHOOK_RETRY_BACKOFF'
    | 'WEBHOOK_RETRY_MAX_INTERVAL_MS'
    | 'WEBHOOK_RETRY_MAX_ATTEMPTS'
    | 'WEBHOOK_RETRY_JITTER'
  >,
): DispatchSettings {
  return {
    taskQueue: config.WEBHOOK_TASK_QUEUE,
    retry: retryScheduleFromConfig(config),
    attemptTimeoutMs: config.WEBHOOK_DELIVERY_TIMEOUT_MS,
    orderRecheckMs: config.WEBHOOK_ORDER_RECHECK_MS,
    orderMaxWaitMs: config.WEBHOOK_ORDER_MAX_WAIT_MS,
  };
}

export interface DispatchDeps {
  db: Db;
  temporal: Client;
  settings: DispatchSettings;
  logger: Logger;
}

/**
 * The event of the order that happened just before `eventId` and that this webhook receives
 * (it subscribes to the type, and the event happened after the webhook was registered): null
 * when there is none, undefined when the timeline does not know the event (it was not
 * produced by the order worker), and ordering falls back to the order of arrival.
 */
export function timelinePredecessor(
  timeline: readonly TimelineEvent[],
  eventId: string,
  subscriber: Subscriber,
): TimelineEvent | null | undefined {
  const index = timeline.findIndex((e) => e.event_id === eventId);
  if (index < 0) return undefined;
  for (let i = index - 1; i >= 0; i--) {
    const candidate = timeline[i]!;
    if (!receives(subscriber, candidate)) {
      if (candidate.created_at < subscriber.created_at) return null;
      continue;
    }
    return candidate;
  }
  return null;
}

/** Whether a webhook gets an event: subscribed to its type, registered before it happened. */
function receives(
  subscriber: Subscriber,
  event: { event_type: string; created_at: Date },
): boolean {
  return (
    isDispatchedEventType(event.event_type) &&
    subscribesTo(subscriber.event_types, event.event_type) &&
    subscriber.created_at.getTime() <= event.created_at.getTime()
  );
}

async function predecessorOf(
  deps: DispatchDeps,
  timeline: readonly TimelineEvent[],
  subscriber: Subscriber,
  delivery: WebhookDeliveryRow,
): Promise<PredecessorRef | null> {
  const previous = timelinePredecessor(timeline, delivery.event_id, subscriber);
  if (previous === undefined) {
    const arrived = await findPredecessor(deps.db, delivery);
    return arrived?.status === 'pending'
      ? { workflowId: arrived.workflow_id, eventId: arrived.event_id }
      : null;
  }
  if (previous === null) return null;
  const scheduled = await findDeliveryByEvent(deps.db, subscriber.webhook_id, previous.event_id);
  if (scheduled && scheduled.status !== 'pending') return null; // already done
  return {
    workflowId: webhookDeliveryWorkflowId(subscriber.webhook_id, previous.event_id),
    eventId: previous.event_id,
  };
}

/**
 * Schedules the deliveries of one event; returns how many workflows it started (0 when all
 * were scheduled before). Throws when something could not be scheduled: the caller must not
 * commit the event's offset then. Each delivery waits for the delivery of the order's
 * previous event to the same webhook (see the workflow), so a receiver sees an order's events
 * in the order they happened, whatever order their topics are consumed in.
 */
export async function scheduleDeliveries(deps: DispatchDeps, event: OrderEvent): Promise<number> {
  const candidates = await findSubscribers(deps.db, event.user_id, event.event_type);
  if (candidates.length === 0) return 0;
  const timeline = await orderTimeline(deps.db, event.order_id);
  // When it happened: the order_events row when there is one (the same clock as the
  // predecessor search below), else the event's own occurred_at.
  const happened = {
    event_type: event.event_type,
    created_at:
      timeline.find((e) => e.event_id === event.event_id)?.created_at ??
      new Date(event.occurred_at),
  };
  const subscribers = candidates.filter((s) => receives(s, happened));
  const started = await Promise.all(
    subscribers.map(async (subscriber) => {
      const webhookId = subscriber.webhook_id;
      const workflowId = webhookDeliveryWorkflowId(webhookId, event.event_id);
      const { delivery } = await upsertDelivery(deps.db, {
        webhookId,
        eventId: event.event_id,
        orderId: event.order_id,
        eventType: event.event_type,
        workflowId,
      });
      if (delivery.status !== 'pending') return 0; // delivered (or given up) long ago
      const input: WebhookDeliveryInput = {
        deliveryId: delivery.delivery_id,
        webhookId,
        eventId: event.event_id,
        orderId: event.order_id,
        eventType: event.event_type,
        message: eventMessage(event),
        retry: deps.settings.retry,
        attemptTimeoutMs: deps.settings.attemptTimeoutMs,
        predecessor: await predecessorOf(deps, timeline, subscriber, delivery),
        orderRecheckMs: deps.settings.orderRecheckMs,
        orderMaxWaitMs: deps.settings.orderMaxWaitMs,
      };
      try {
        await deps.temporal.workflow.start(WEBHOOK_DELIVERY_WORKFLOW_TYPE, {
          taskQueue: deps.settings.taskQueue,
          workflowId,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
        return 1;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return 0; // scheduled before: fine
        throw err;
      }
    }),
  );
  return started.reduce<number>((a, b) => a + b, 0);
}

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
