/**
 * The ceiling workflow: the order saga's happy path, command for command, with activities
 * that do nothing. Same activities in the same order with the same options (policies.ts),
 * the same search-attribute upserts at each status, the same handlers, the same durable
 * timer (the delivery wait) ended by the same `delivered` signal. What it measures is what
 * Temporal and the worker cost for one order on this machine, with no Postgres, Kafka or
 * Redis work: the saga's throughput is reported as a fraction of it.
 *
 * Deterministic workflow code, bundled by the worker: only @temporalio/workflow and types.
 */
import {
  allHandlersFinished,
  condition,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { OrderWorkflowInput } from '../../../src/domain/order';
import type { OrderStatus } from '../../../src/contract/orders';
import {
  CustomerIdKey,
  OrderStatusKey,
  OrderTotalKey,
} from '../../../src/contract/search-attributes';
import {
  cancelSignal,
  deliveredSignal,
  statusQuery,
  type DeliveryConfirmation,
  type OrderState,
  type StepRecord,
} from '../../../workflows/definitions';
import {
  DEFAULT_DELIVERY_TIMEOUT,
  NOTIFICATION_OPTIONS,
  STEP_OPTIONS,
} from '../../../workflows/policies';
import type { CeilingActivities } from './activities';

const steps = proxyActivities<CeilingActivities>(STEP_OPTIONS);
const remoteNotifications = proxyActivities<CeilingActivities>(NOTIFICATION_OPTIONS);
const localNotifications = proxyLocalActivities<CeilingActivities>(NOTIFICATION_OPTIONS);

/** The saga's shape, exactly: what the throughput ratio is computed against. */
export function ceilingWorkflow(input: OrderWorkflowInput): Promise<OrderState> {
  return orderShape(input, { localNotify: false, upserts: true });
}

/**
 * Tuning experiments, not the yardstick: what the server would save if the three
 * notifications ran as local activities, or if the status search attribute were not
 * upserted at every step (a visibility write each).
 */
export function ceilingLocalNotifyWorkflow(input: OrderWorkflowInput): Promise<OrderState> {
  return orderShape(input, { localNotify: true, upserts: true });
}

export function ceilingNoUpsertsWorkflow(input: OrderWorkflowInput): Promise<OrderState> {
  return orderShape(input, { localNotify: false, upserts: false });
}

async function orderShape(
  input: OrderWorkflowInput,
  variant: { localNotify: boolean; upserts: boolean },
): Promise<OrderState> {
  const notifications = variant.localNotify ? localNotifications : remoteNotifications;
  const state: OrderState = { orderId: input.orderId, status: 'pending', steps: [] };
  let delivery: DeliveryConfirmation | undefined;
  const now = (): string => new Date().toISOString();
  const note = (step: StepRecord['step']): void => {
    state.steps.push({ step, outcome: 'completed', at: now() });
  };
  const setStatus = (status: OrderStatus): void => {
    state.status = status;
    if (variant.upserts || status === 'delivered')
      upsertSearchAttributes([{ key: OrderStatusKey, value: status }]);
  };
  setHandler(statusQuery, () => state);
  setHandler(deliveredSignal, (confirmation) => {
    delivery ??= confirmation;
  });
  setHandler(cancelSignal, () => undefined);
  upsertSearchAttributes([
    { key: CustomerIdKey, value: input.userId },
    { key: OrderTotalKey, value: input.totalCents / 100 },
    { key: OrderStatusKey, value: 'pending' },
  ]);

  await steps.announceCreated(input);
  note('record');
  await steps.validateOrder(input);
  setStatus('validated');
  note('validate');
  await steps.chargePayment(input);
  setStatus('paid');
  note('charge');
  await steps.reserveInventory(input);
  setStatus('processing');
  note('reserve');
  await notifications.notifyCustomer(input, 'order_confirmation');
  note('notify');
  await steps.fulfillOrder(input);
  setStatus('fulfilled');
  note('fulfill');
  await steps.shipOrder(input);
  setStatus('shipped');
  note('ship');
  await notifications.notifyCustomer(input, 'order_shipped');
  note('notify');

  await condition(() => delivery !== undefined, DEFAULT_DELIVERY_TIMEOUT);
  await steps.markDelivered(input);
  setStatus('delivered');
  note('deliver');
  await notifications.notifyCustomer(input, 'order_delivered');
  note('notify');
  await condition(allHandlersFinished);
  return state;
}
