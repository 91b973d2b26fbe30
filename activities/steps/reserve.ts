/**
 * Step 3, reserve, and its compensation, release. Stock moves into a reservation row in one
 * transaction: `stock = stock - n WHERE stock >= n` cannot go below zero however many orders
 * race for the last units, and lines are taken in product-id order so two orders never
 * deadlock. An existing reservation row makes a retry a no-op.
 */
import { OutOfStockError } from '../../src/domain/errors';
import type { OrderWorkflowInput } from '../../src/domain/order';
import type { ActivityDeps } from '../deps';
import { recordStatusChange } from '../record-status';
import { sql } from 'kysely';

function linesByProduct(input: OrderWorkflowInput): [string, number][] {
  const qty = new Map<string, number>();
  for (const item of input.items)
    qty.set(item.productId, (qty.get(item.productId) ?? 0) + item.quantity);
  return [...qty].sort(([a], [b]) => a.localeCompare(b));
}

export function reserveInventory(deps: ActivityDeps) {
  return async function reserveInventory(input: OrderWorkflowInput): Promise<void> {
    await deps.db.transaction().execute(async (trx) => {
      for (const [productId, quantity] of linesByProduct(input)) {
        const existing = await trx
          .selectFrom('inventory_reservations')
          .select('status')
          .where('order_id', '=', input.orderId)
          .where('product_id', '=', productId)
          .executeTakeFirst();
        if (existing) continue;
        const taken = await trx
          .updateTable('products')
          .set({ stock: sql`stock - ${quantity}`, updated_at: sql`now()` })
          .where('product_id', '=', productId)
          .where('stock', '>=', quantity)
          .returning('stock')
          .executeTakeFirst();
        if (!taken) throw new OutOfStockError(`out of stock: ${productId}`);
        await trx
          .insertInto('inventory_reservations')
          .values({ order_id: input.orderId, product_id: productId, quantity, status: 'reserved' })
          .execute();
      }
    });
    await recordStatusChange(deps, input, {
      eventType: 'order.inventory_reserved',
      status: 'processing',
      data: {
        items: linesByProduct(input).map(([product_id, quantity]) => ({ product_id, quantity })),
      },
    });
  };
}

/** Compensation: puts every still-reserved unit of the order back in stock. */
export function releaseInventory(deps: ActivityDeps) {
  return async function releaseInventory(
    input: OrderWorkflowInput,
    reason: string,
  ): Promise<{ released: number }> {
    const released = await deps.db.transaction().execute(async (trx) => {
      const rows = await trx
        .updateTable('inventory_reservations')
        .set({ status: 'released', updated_at: sql`now()` })
        .where('order_id', '=', input.orderId)
        .where('status', '=', 'reserved')
        .returning(['product_id', 'quantity'])
        .execute();
      for (const row of rows.sort((a, b) => a.product_id.localeCompare(b.product_id))) {
        await trx
          .updateTable('products')
          .set({ stock: sql`stock + ${row.quantity}`, updated_at: sql`now()` })
          .where('product_id', '=', row.product_id)
          .execute();
      }
      return rows.reduce((n, r) => n + r.quantity, 0);
    });
    await recordStatusChange(deps, input, {
      eventType: 'order.inventory_released',
      data: { units: released, reason },
    });
    return { released };
  };
}
