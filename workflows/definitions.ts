/**
 * The order workflow's public surface: its name, signals and query. Imported by the workflow
 * itself and by its callers (the API, the carrier simulator, tests), so both sides agree.
 * Only types and `@temporalio/workflow` definitions live here: safe in the workflow sandbox.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { OrderStatus } from '../src/contract/orders';

export const ORDER_WORKFLOW_TYPE = 'orderWorkflow';
/**
 * Ends an order whose saga never started (src/worker/stranded-orders.ts). It runs under the
 * order's own workflow id, so it and the saga exclude each other.
 */
export const STRANDED_ORDER_WORKFLOW_TYPE = 'strandedOrderWorkflow';

export interface CancelRequest {
  reason: string;
  /** Who asked: a user id, `admin:<id>` or `system`. */
  requestedBy: string;
}

export interface DeliveryConfirmation {
  deliveredAt: string;
  /** Carrier's proof of delivery, if any. */
  signedBy?: string;
}

export type StepName =
  'record' | 'validate' | 'charge' | 'reserve' | 'fulfill' | 'ship' | 'notify' | 'deliver';

export interface StepRecord {
  step: StepName | 'compensate:refund' | 'compensate:release' | 'cancel';
  outcome: 'completed' | 'failed' | 'skipped';
  at: string;
  detail?: string;
}

export interface Shipment {
  trackingNumber: string;
  carrier: string;
  estimatedDelivery: string;
}

/** What the `status` query returns: for the API, the Web UI and operators. */
export interface OrderState {
  orderId: string;
  status: OrderStatus;
  steps: StepRecord[];
  shipment?: Shipment;
  failure?: { step: string; reason: string; type: string };
  cancellation?: {
    reason: string;
    requestedBy: string;
    outcome: 'accepted' | 'refused';
    at: string;
  };
}

export const cancelSignal = defineSignal<[CancelRequest]>('cancel');
export const deliveredSignal = defineSignal<[DeliveryConfirmation]>('delivered');
export const statusQuery = defineQuery<OrderState>('status');
