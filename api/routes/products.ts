/** /api/v1/products: the public catalogue (price as a decimal string, current stock). */
import { createRoute } from '@hono/zod-openapi';
import type { Db } from '../../db/client';
import { formatMoney, parseMoney } from '../../src/domain/money';
import { rateLimit } from '../middleware/rate-limit';
import type { RateLimiter } from '../rate-limits';
import { router } from '../router';
import { json, ProductListSchema, problems } from '../schemas';

export function productRoutes(db: Db, limiter: RateLimiter | undefined) {
  const list = createRoute({
    method: 'get',
    path: '/',
    tags: ['products'],
    summary: 'The catalogue',
    middleware: [rateLimit(limiter, 'products.list')] as const,
    responses: { 200: json(ProductListSchema, 'Every product, by name'), ...problems(429) },
  });

  return router().openapi(list, async (c) => {
    const rows = await db
      .selectFrom('products')
      .select(['product_id', 'sku', 'name', 'price', 'stock'])
      .orderBy('name')
      .execute();
    return c.json(
      { data: rows.map((p) => ({ ...p, price: formatMoney(parseMoney(p.price)) })) },
      200,
    );
  });
}
