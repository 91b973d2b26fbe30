/**
 * The snapshot a connection starts with: the user's orders that have not reached a terminal
 * status, newest first, read from Postgres (the read model the worker writes before it
 * publishes each change, so the snapshot is never behind the stream position taken first).
 */
import type { Db } from '../db/client';
import { TERMINAL_STATUSES } from '../src/contract/orders';
import type { SnapshotOrder } from './protocol';

export type SnapshotReader = (userId: string) => Promise<SnapshotOrder[]>;

const iso = (value: Date | string) => (value instanceof Date ? value.toISOString() : value);

export function createSnapshotReader(db: Db, limit: number): SnapshotReader {
  return async (userId) => {
    const rows = await db
      .selectFrom('orders')
      .select(['order_id', 'status', 'total_amount', 'items', 'created_at', 'updated_at'])
      .where('user_id', '=', userId)
      .where('status', 'not in', [...TERMINAL_STATUSES])
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      order_id: r.order_id,
      status: r.status,
      total_amount: r.total_amount,
      items: r.items,
      created_at: iso(r.created_at),
      updated_at: iso(r.updated_at),
    }));
  };
}
