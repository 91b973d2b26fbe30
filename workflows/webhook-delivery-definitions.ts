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
   * The delivery of the previous event of the same order to the same webhook: this one waits
   * until it has finished (delivered or given up), even if it has not been scheduled yet.
   */
  predecessor: PredecessorRef | null;
  /** How often a waiting delivery re-checks a predecessor that is not scheduled yet. */
  orderRecheckMs: number;
  /** The longest it waits for a predecessor that is not scheduled yet, before going ahead. */
  orderMaxWaitMs: number;
}

export interface PredecessorRef {
  workflowId: string;
  eventId: string;
}

/** Where a predecessor delivery is: finished, scheduled and running, or not scheduled yet. */
export type PredecessorState = 'done' | 'pending' | 'unscheduled';

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
