/**
 * Order reads and writes shared by the API and the worker. Each function takes the db handle
 * (or a transaction) first, so the caller decides the transaction.
 */
import { formatMoney } from '../../src/domain/money';
import { orderEventId } from '../../src/domain/ids';
import type { OrderWorkflowInput } from '../../src/domain/order';
import type { Db } from '../client';

/**
 * Records a new order (status pending), its lines and its `order.created` event. Idempotent:
 * a second call for the same order id changes nothing. Returns true when it inserted.
 */
export async function insertNewOrder(db: Db, input: OrderWorkflowInput): Promise<boolean> {
  const items = input.items.map((i) => ({
    product_id: i.productId,
    quantity: i.quantity,
    price: formatMoney(i.unitPriceCents),
  }));
  const inserted = await db
    .insertInto('orders')
    .values({
      order_id: input.orderId,
      user_id: input.userId,
      status: 'pending',
      items,
      total_amount: formatMoney(input.totalCents),
      shipping_address: input.shippingAddress,
      payment_method: input.paymentMethod,
      created_at: input.createdAt,
      updated_at: input.createdAt,
      metadata: {},
    })
    .onConflict((oc) => oc.column('order_id').doNothing())
    .returning('order_id')
    .executeTakeFirst();
  if (!inserted) return false;
  await db
    .insertInto('order_items')
    .values(
      input.items.map((i) => ({
        order_id: input.orderId,
        product_id: i.productId,
        quantity: i.quantity,
        unit_price: formatMoney(i.unitPriceCents),
        total_price: formatMoney(i.unitPriceCents * i.quantity),
      })),
    )
    .execute();
  await db
    .insertInto('order_events')
    .values({
      event_id: orderEventId(input.orderId, 'order.created'),
      order_id: input.orderId,
      event_type: 'order.created',
      event_data: {
        status: 'pending',
        total_amount: formatMoney(input.totalCents),
      },
      created_by: input.userId,
    })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
  return true;
}
