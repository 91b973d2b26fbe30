/**
 * The saga's endings and the refused cancel: each is a status change (or, for a refused
 * cancel, only an event) recorded like every other step.
 */
import type { OrderWorkflowInput } from '../../src/domain/order';
import type { ActivityDeps } from '../deps';
import { recordStatusChange } from '../record-status';

export function markDelivered(deps: ActivityDeps) {
  return async function markDelivered(
    input: OrderWorkflowInput,
    deliveredAt: string,
  ): Promise<void> {
    await recordStatusChange(deps, input, {
      eventType: 'order.delivered',
      status: 'delivered',
      data: { delivered_at: deliveredAt },
    });
  };
}

export interface FailureOutcome {
  step: string;
  reason: string;
  refunded: boolean;
}

export function markFailed(deps: ActivityDeps) {
  return async function markFailed(
    input: OrderWorkflowInput,
    outcome: FailureOutcome,
  ): Promise<void> {
    await recordStatusChange(deps, input, {
      eventType: 'order.failed',
      status: 'failed',
      data: {
        reason: outcome.reason,
        failed_step: outcome.step,
        refunded: outcome.refunded,
        failed_at: deps.clock().toISOString(),
      },
    });
  };
}

export interface CancelOutcome {
  reason: string;
  requestedBy: string;
  refunded: boolean;
}

export function markCancelled(deps: ActivityDeps) {
  return async function markCancelled(
    input: OrderWorkflowInput,
    outcome: CancelOutcome,
  ): Promise<void> {
    await recordStatusChange(deps, input, {
      eventType: 'order.cancelled',
      status: 'cancelled',
      createdBy: outcome.requestedBy,
      data: {
        reason: outcome.reason,
        cancelled_by: outcome.requestedBy,
        refunded: outcome.refunded,
        cancelled_at: deps.clock().toISOString(),
      },
    });
  };
}

export function recordCancelRefused(deps: ActivityDeps) {
  return async function recordCancelRefused(
    input: OrderWorkflowInput,
    request: { reason: string; requestedBy: string; occurrence: number; statusAtRequest: string },
  ): Promise<void> {
    await recordStatusChange(deps, input, {
      eventType: 'order.cancel_refused',
      occurrence: String(request.occurrence),
      createdBy: request.requestedBy,
      data: {
        reason: request.reason,
        requested_by: request.requestedBy,
        refused_because: `order already ${request.statusAtRequest}`,
      },
    });
  };
}
