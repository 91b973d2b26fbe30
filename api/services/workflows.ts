/**
 * The API's two uses of Temporal: start an order's workflow and signal it to cancel.
 * Starting is idempotent: the workflow id is `order-<order_id>`, a running workflow with that
 * id is reused (conflict policy USE_EXISTING) and a closed one is never started again (reuse
 * policy REJECT_DUPLICATE, whose "already started" answer counts as success). So a retried
 * request can never run a second saga for one order. Search attributes let operators find
 * the order in the Web UI by id, customer, status and total.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { orderWorkflowId, TASK_QUEUE } from '../../src/contract/orders';
import { orderSearchAttributes } from '../../src/contract/search-attributes';
import { formatMoney } from '../../src/domain/money';
import type { OrderWorkflowInput } from '../../src/domain/order';
import {
  cancelSignal,
  ORDER_WORKFLOW_TYPE,
  type CancelRequest,
  type OrderState,
} from '../../workflows/definitions';
import { ServiceUnavailableError } from '../errors';

type OrderWorkflow = (input: OrderWorkflowInput) => Promise<OrderState>;

export interface OrderWorkflows {
  start(input: OrderWorkflowInput): Promise<void>;
  /** false when the workflow is not running any more (or never ran). */
  requestCancel(orderId: string, request: CancelRequest): Promise<boolean>;
}

export function orderSummary(input: OrderWorkflowInput): string {
  const count = input.items.reduce((n, i) => n + i.quantity, 0);
  return `Order ${input.orderId} for ${count} item${count === 1 ? '' : 's'}, total ${formatMoney(input.totalCents)}`;
}

/** `taskQueue` must be the worker's (config TEMPORAL_TASK_QUEUE, by default the contract's). */
export function createOrderWorkflows(
  client: Client,
  taskQueue = TASK_QUEUE,
  deadlineMs = 5000,
): OrderWorkflows {
  const withDeadline = <T>(fn: () => Promise<T>) =>
    client.connection.withDeadline(Date.now() + deadlineMs, fn);
  const unavailable = (err: unknown) => {
    throw new ServiceUnavailableError('the workflow service did not answer', { cause: err });
  };
  return {
    async start(input) {
      try {
        await withDeadline(() =>
          client.workflow.start<OrderWorkflow>(ORDER_WORKFLOW_TYPE, {
            workflowId: orderWorkflowId(input.orderId),
            taskQueue,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            typedSearchAttributes: orderSearchAttributes(input, 'pending'),
            staticSummary: orderSummary(input),
          }),
        );
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return;
        unavailable(err);
      }
    },
    async requestCancel(orderId, request) {
      try {
        await withDeadline(() =>
          client.workflow.getHandle(orderWorkflowId(orderId)).signal(cancelSignal, request),
        );
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        return unavailable(err);
      }
    },
  };
}
