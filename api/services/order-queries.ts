/**
 * The API's reads of the order tables: one order with its events, a page of orders (keyset
 * pagination over created_at + order_id, served by idx_orders_user_created), and the status
 * check behind cancellation. Writes go through db/queries/orders.ts, shared with the worker.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/client';
import type { OrderStatus } from '../../src/contract/orders';
import { BadRequestError } from '../errors';
import { ORDER_ROW_COLUMNS, type OrderEventRow, type OrderRow } from '../../db/order-rows';

export async function findOrder(db: Db, orderId: string): Promise<OrderRow | undefined> {
  return db
    .selectFrom('orders')
    .select(ORDER_ROW_COLUMNS)
    .where('order_id', '=', orderId)
    .executeTakeFirst();
}

export async function findOrderEvents(db: Db, orderId: string): Promise<OrderEventRow[]> {
  return db
    .selectFrom('order_events')
    .select(['event_id', 'event_type', 'event_data', 'created_at', 'created_by'])
    .where('order_id', '=', orderId)
    .orderBy('created_at', 'asc')
    .orderBy('event_id', 'asc')
    .execute();
}

export async function findOrderOwnerAndStatus(
  db: Db,
  orderId: string,
): Promise<{ user_id: string; status: OrderStatus } | undefined> {
  return db
    .selectFrom('orders')
    .select(['user_id', 'status'])
    .where('order_id', '=', orderId)
    .executeTakeFirst();
}

// ---- pagination ---------------------------------------------------------------------------
/** The opaque cursor: the last row's exact created_at (microseconds, as Postgres prints it) and id. */
const cursorSchema = z.object({
  t: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)$/),
  id: z.uuid(),
});
type Cursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new BadRequestError('cursor is not one this API returned');
  }
}

export interface OrderPageQuery {
  /** Whose orders; undefined lists everyone's (admin). */
  userId?: string;
  status?: OrderStatus;
  limit: number;
  cursor?: string;
}

export async function listOrders(
  db: Db,
  q: OrderPageQuery,
): Promise<{ rows: OrderRow[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('orders')
    .select(ORDER_ROW_COLUMNS)
    .select(sql<string>`created_at::text`.as('created_at_exact'))
    .orderBy('created_at', 'desc')
    .orderBy('order_id', 'desc')
    .limit(q.limit + 1);
  if (q.userId) query = query.where('user_id', '=', q.userId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    query = query.where(
      sql<boolean>`(created_at, order_id) < (${c.t}::timestamptz, ${c.id}::uuid)`,
    );
  }
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > q.limit && last
      ? encodeCursor({ t: last.created_at_exact, id: last.order_id })
      : null;
  return { rows: page, nextCursor };
}
