/**
 * Scheduling the deliveries of one event: for each active webhook of the order's owner that
 * subscribes to the event's type, a webhook_deliveries row (unique per webhook and event),
 * then the delivery workflow `webhook-<webhook_id>-<event_id>`, whose id Temporal refuses to
 * start twice. Safe to repeat: a second call for the same event starts nothing.
 */
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { OrderEvent } from '../contract/events';
import type { Config } from '../config';
import type { Logger } from '../logger';
import {
  WEBHOOK_DELIVERY_WORKFLOW_TYPE,
  webhookDeliveryWorkflowId,
  type WebhookDeliveryInput,
} from '../../workflows/webhook-delivery-definitions';
import { predecessorOf, receives } from './ordering';
import { eventMessage } from './payload';
import { retryScheduleFromConfig, type RetrySchedule } from './retry';
import { findSubscribers, orderTimeline, upsertDelivery } from './store';

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
        predecessor: await predecessorOf(deps.db, timeline, subscriber, delivery),
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
