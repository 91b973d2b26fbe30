/**
 * The webhook delivery workflow's public surface: its name, id builder, input and result, and
 * the two signals that keep the deliveries of one order to one webhook in order. Imported by
 * the workflow, the dispatcher that starts it, and tests. Types and `@temporalio/workflow`
 * definitions only: safe in the workflow sandbox.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { WebhookMessage } from '../src/webhooks/payload';
import type { RetrySchedule } from '../src/webhooks/retry';

export const WEBHOOK_DELIVERY_WORKFLOW_TYPE = 'webhookDelivery';

/** One workflow per (webhook, event): a redelivered Kafka message cannot start a second one. */
export function webhookDeliveryWorkflowId(webhookId: string, eventId: string): string {
  return `webhook-${webhookId}-${eventId}`;
}

export interface WebhookDeliveryInput {
  deliveryId: string;
  webhookId: string;
  eventId: string;
  orderId: string | null;
  eventType: string;
  message: WebhookMessage;
  retry: RetrySchedule;
  /** One attempt's HTTP deadline; the activity's start-to-close adds a margin to it. */
  attemptTimeoutMs: number;
  /**
   * The delivery of the previous event of the same order to the same webhook, still pending
   * when this one was scheduled: this one waits until it has finished (delivered or given up).
   */
  predecessorWorkflowId: string | null;
  /** How often a waiting delivery re-checks its predecessor (lost-signal safety net). */
  orderRecheckMs: number;
}

export type WebhookDeliveryOutcome = 'delivered' | 'failed' | 'rejected' | 'gone' | 'skipped';

export interface WebhookDeliveryResult {
  outcome: WebhookDeliveryOutcome;
  /** When this delivery's failure disabled the webhook: why. */
  disabledReason?: string;
}

export type WebhookDeliveryPhase = 'waiting-for-predecessor' | 'delivering' | 'done';

/** A later delivery of the same order asks to be told (by its workflow id) when this one is done. */
export const followerSignal = defineSignal<[followerWorkflowId: string]>('webhookFollower');
/** Sent to each follower when this delivery is done. */
export const predecessorDoneSignal = defineSignal('webhookPredecessorDone');
export const deliveryPhaseQuery = defineQuery<WebhookDeliveryPhase>('phase');
