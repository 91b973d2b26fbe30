/**
 * The ceiling workflow's activities: the saga's names, doing nothing. Two of them report to
 * the worker process, as the real side effects would be observed: ship hands the workflow to
 * the delivery-scan loop (the real ship schedules the carrier's scan), markDelivered tells the
 * bench driver the order reached its terminal status (the real one publishes `delivered`).
 */
import { Context } from '@temporalio/activity';
import type { OrderWorkflowInput } from '../../../src/domain/order';

export interface CeilingHooks {
  shipped(workflowId: string): void;
  delivered(workflowId: string): void;
}

const workflowId = (): string => Context.current().info.workflowExecution?.workflowId ?? '';

export function createCeilingActivities(hooks: CeilingHooks) {
  const nothing = async (_input: OrderWorkflowInput): Promise<void> => {};
  return {
    announceCreated: nothing,
    validateOrder: nothing,
    chargePayment: nothing,
    reserveInventory: nothing,
    fulfillOrder: nothing,
    async shipOrder(_input: OrderWorkflowInput): Promise<void> {
      hooks.shipped(workflowId());
    },
    async markDelivered(_input: OrderWorkflowInput): Promise<void> {
      hooks.delivered(workflowId());
    },
    async notifyCustomer(_input: OrderWorkflowInput, _template: string): Promise<void> {},
  };
}

export type CeilingActivities = ReturnType<typeof createCeilingActivities>;
