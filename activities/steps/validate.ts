/**
 * Step 1, validate: the seed's three checks. Inventory: every product exists with enough stock
 * right now (reserve re-checks atomically later). Pricing: every line's price is the
 * catalogue's and the total is the sum of the lines. Customer: the user exists and is active.
 * A failed check rejects the order (non-retryable); nothing to compensate yet.
 */
import { OrderInvalidError, OutOfStockError } from '../../src/domain/errors';
import { parseMoney } from '../../src/domain/money';
import type { OrderWorkflowInput } from '../../src/domain/order';
import type { ActivityDeps } from '../deps';
import { recordStatusChange } from '../record-status';

export function validateOrder(deps: ActivityDeps) {
  return async function validateOrder(input: OrderWorkflowInput): Promise<void> {
    const productIds = [...new Set(input.items.map((i) => i.productId))];
    const products = await deps.db
      .selectFrom('products')
      .select(['product_id', 'price', 'stock'])
      .where('product_id', 'in', productIds)
      .execute();
    const byId = new Map(products.map((p) => [p.product_id, p]));

    const missing = productIds.filter((id) => !byId.has(id));
    if (missing.length) throw new OrderInvalidError(`unknown product(s): ${missing.join(', ')}`);

    const wanted = new Map<string, number>();
    for (const item of input.items)
      wanted.set(item.productId, (wanted.get(item.productId) ?? 0) + item.quantity);
    const short = [...wanted].filter(([id, qty]) => byId.get(id)!.stock < qty).map(([id]) => id);
    if (short.length) throw new OutOfStockError(`not enough stock for: ${short.join(', ')}`);

    const mispriced = input.items.filter(
      (i) => parseMoney(byId.get(i.productId)!.price) !== i.unitPriceCents,
    );
    if (mispriced.length) {
      throw new OrderInvalidError(
        `price changed for: ${mispriced.map((i) => i.productId).join(', ')}`,
      );
    }
    const sum = input.items.reduce((acc, i) => acc + i.unitPriceCents * i.quantity, 0);
    if (sum !== input.totalCents)
      throw new OrderInvalidError('total does not match the sum of the lines');

    const customer = await deps.db
      .selectFrom('users')
      .select('is_active')
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    if (!customer?.is_active) throw new OrderInvalidError('customer does not exist or is inactive');

    const now = deps.clock().toISOString();
    await recordStatusChange(deps, input, {
      eventType: 'order.validated',
      status: 'validated',
      data: {
        validation_result: { inventory_check: true, pricing_check: true, customer_check: true },
        validated_at: now,
      },
    });
  };
}
