/**
 * Step 4, fulfil: the warehouse picks and packs (status fulfilled, topic order_fulfilled),
 * then the carrier takes the parcel (status shipped, topic order_shipped). Shipping is the
 * point of no return: the reservation becomes "shipped" and a cancel is refused from here on.
 */
import { sql } from 'kysely';
import { orderWorkflowId } from '../../src/contract/orders';
import type { OrderWorkflowInput } from '../../src/domain/order';
import type { ShipmentLabel } from '../../src/providers/carrier';
import type { ActivityDeps } from '../deps';
import { recordStatusChange } from '../record-status';

export const WAREHOUSE = 'main-warehouse';

export function fulfillOrder(deps: ActivityDeps) {
  return async function fulfillOrder(input: OrderWorkflowInput): Promise<void> {
    await recordStatusChange(deps, input, {
      eventType: 'order.fulfilled',
      status: 'fulfilled',
      data: { warehouse: WAREHOUSE, fulfilled_at: deps.clock().toISOString() },
    });
  };
}

export function shipOrder(deps: ActivityDeps) {
  return async function shipOrder(input: OrderWorkflowInput): Promise<ShipmentLabel> {
    const workflowId = orderWorkflowId(input.orderId);
    const label = await deps.carrier.createShipment({
      idempotencyKey: `${workflowId}:ship`,
      orderId: input.orderId,
      workflowId,
      items: input.items.reduce((n, i) => n + i.quantity, 0),
      destinationCountry: input.shippingAddress.country,
    });
    await deps.db
      .updateTable('inventory_reservations')
      .set({ status: 'shipped', updated_at: sql`now()` })
      .where('order_id', '=', input.orderId)
      .where('status', '=', 'reserved')
      .execute();
    await recordStatusChange(deps, input, {
      eventType: 'order.shipped',
      status: 'shipped',
      data: {
        tracking_number: label.trackingNumber,
        carrier: label.carrier,
        estimated_delivery: label.estimatedDelivery,
        shipped_at: deps.clock().toISOString(),
      },
    });
    return label;
  };
}
