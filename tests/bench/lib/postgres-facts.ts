/**
 * Postgres's record of a run's orders, the reference everything else is compared with: each
 * order's status and creation time, and its order_events rows. From them:
 *
 * - the events the WebSocket must have delivered: rows that carry a status (the worker
 *   publishes exactly those to Redis);
 * - the events Kafka must hold: rows whose type has a topic;
 * - the saga's own completion latency: orders.created_at → the row of its terminal status,
 *   both written server-side, so it excludes the client and the Redis → WebSocket hop.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/client';
import { TERMINAL_STATUSES } from '../../../src/contract/orders';
import { topicFor, type OrderEventType } from '../../../src/contract/topics';

export interface OrderFacts {
  orderId: string;
  userId: string;
  status: string;
  createdAt: number;
  /** Event ids of rows that carry a status: what the socket must deliver. */
  statusEventIds: Set<string>;
  /** When each of those rows was written, epoch ms. */
  statusEventAt: Map<string, number>;
  /** Event ids of rows whose type has a Kafka topic: what the topics must hold. */
  topicEventIds: Set<string>;
  /** Epoch ms of the row that recorded the terminal status. */
  terminalAt?: number;
}

const CHUNK = 1000;

export async function readOrderFacts(
  db: Db,
  orderIds: readonly string[],
): Promise<Map<string, OrderFacts>> {
  const facts = new Map<string, OrderFacts>();
  for (let i = 0; i < orderIds.length; i += CHUNK) {
    const chunk = orderIds.slice(i, i + CHUNK);
    const orders = await db
      .selectFrom('orders')
      .select(['order_id', 'user_id', 'status', 'created_at'])
      .where('order_id', 'in', chunk)
      .execute();
    for (const o of orders) {
      facts.set(o.order_id, {
        orderId: o.order_id,
        userId: o.user_id,
        status: o.status,
        createdAt: new Date(o.created_at).getTime(),
        statusEventIds: new Set(),
        statusEventAt: new Map(),
        topicEventIds: new Set(),
      });
    }
    const events = await db
      .selectFrom('order_events')
      .select([
        'order_id',
        'event_id',
        'event_type',
        'created_at',
        // The text of a JSON string scalar or of an object alike: rows written with
        // JSON.stringify through postgres.js hold a JSON *string* whose text is the object.
        sql<string | null>`(event_data #>> '{}')::jsonb ->> 'status'`.as('status'),
      ])
      .where('order_id', 'in', chunk)
      .orderBy('created_at')
      .execute();
    for (const e of events) {
      const f = facts.get(e.order_id);
      if (!f) continue;
      if (e.status) {
        f.statusEventIds.add(e.event_id);
        f.statusEventAt.set(e.event_id, new Date(e.created_at).getTime());
      }
      if (topicFor(e.event_type as OrderEventType)) f.topicEventIds.add(e.event_id);
      if (
        f.terminalAt === undefined &&
        e.status &&
        (TERMINAL_STATUSES as readonly string[]).includes(e.status)
      ) {
        f.terminalAt = new Date(e.created_at).getTime();
      }
    }
  }
  return facts;
}

/** Orders of these users the load generator never got a 202 for (a POST answer lost). */
export async function ordersOfUsers(db: Db, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('orders')
    .select('order_id')
    .where('user_id', 'in', [...userIds])
    .execute();
  return rows.map((r) => r.order_id);
}

/** Just the statuses: cheap enough to poll while waiting for stragglers. */
export async function statusesOf(
  db: Db,
  orderIds: readonly string[],
): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  for (let i = 0; i < orderIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('orders')
      .select(['order_id', 'status'])
      .where('order_id', 'in', orderIds.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) statuses.set(r.order_id, r.status);
  }
  return statuses;
}
