/**
 * Webhook queries shared by the API, the dispatcher and the delivery activities. Each takes
 * the db handle (or a transaction) first, so the caller decides the transaction.
 */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/client';
import type {
  WebhookAttemptStatus,
  WebhookDeliveriesTable,
  WebhookDeliveryStatus,
  WebhookLogsTable,
  WebhooksTable,
} from '../../db/schema';
import { WILDCARD } from './event-types';

export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookLogRow = Selectable<WebhookLogsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;

export async function insertWebhook(
  db: Db,
  row: {
    webhookId: string;
    userId: string;
    url: string;
    secretEnvelope: string;
    eventTypes: string[];
  },
): Promise<WebhookRow> {
  return db
    .insertInto('webhooks')
    .values({
      webhook_id: row.webhookId,
      user_id: row.userId,
      url: row.url,
      secret: row.secretEnvelope,
      event_types: row.eventTypes,
      disabled_reason: null,
      disabled_at: null,
      failing_since: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function countWebhooks(db: Db, userId: string): Promise<number> {
  return db
    .selectFrom('webhooks')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

export function listWebhooks(db: Db, userId: string): Promise<WebhookRow[]> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('webhook_id', 'desc')
    .execute();
}

export function getWebhook(db: Db, webhookId: string): Promise<WebhookRow | undefined> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .executeTakeFirst();
}

export interface WebhookPatch {
  url?: string;
  secretEnvelope?: string;
  eventTypes?: string[];
  isActive?: boolean;
}

/** Applies a change; re-activating clears the reason it was disabled and the failure clock. */
export function updateWebhook(
  db: Db,
  webhookId: string,
  patch: WebhookPatch,
): Promise<WebhookRow | undefined> {
  return db
    .updateTable('webhooks')
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.secretEnvelope !== undefined ? { secret: patch.secretEnvelope } : {}),
      ...(patch.eventTypes !== undefined ? { event_types: patch.eventTypes } : {}),
      ...(patch.isActive !== undefined ? { is_active: patch.isActive } : {}),
      ...(patch.isActive === true
        ? { disabled_reason: null, disabled_at: null, failing_since: null }
        : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('webhook_id', '=', webhookId)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteWebhook(db: Db, webhookId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('webhooks')
    .where('webhook_id', '=', webhookId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export type Subscriber = Pick<WebhookRow, 'webhook_id' | 'event_types' | 'created_at'>;

/** The active webhooks of a user subscribed to an event type (or to `*`). */
export function findSubscribers(db: Db, userId: string, eventType: string): Promise<Subscriber[]> {
  return db
    .selectFrom('webhooks')
    .select(['webhook_id', 'event_types', 'created_at'])
    .where('user_id', '=', userId)
    .where('is_active', '=', true)
    .where(sql<boolean>`event_types && ARRAY[${eventType}, ${WILDCARD}]::text[]`)
    .orderBy('created_at')
    .execute();
}

/** Disables a webhook, saying why; a no-op when it is already inactive or gone. */
export async function disableWebhook(db: Db, webhookId: string, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('webhooks')
    .set({
      is_active: false,
      disabled_reason: reason,
      disabled_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('webhook_id', '=', webhookId)
    .where('is_active', '=', true)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** A delivery succeeded: the webhook is no longer failing. */
export async function clearFailing(db: Db, webhookId: string): Promise<void> {
  await db
    .updateTable('webhooks')
    .set({ failing_since: null })
    .where('webhook_id', '=', webhookId)
    .where('failing_since', 'is not', null)
    .execute();
}

/**
 * A delivery failed for good: start the failure clock if it is not running, and disable the
 * webhook when it has been failing for longer than `disableAfterMs`. Returns the reason when
 * this call disabled it.
 */
export async function recordFailing(
  db: Db,
  webhookId: string,
  disableAfterMs: number,
): Promise<string | null> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('webhooks')
      .set({ failing_since: sql<Date>`coalesce(failing_since, now())` })
      .where('webhook_id', '=', webhookId)
      .returning(['failing_since', 'is_active'])
      .executeTakeFirst();
    if (!row?.is_active || !row.failing_since) return null;
    const failingForMs = Date.now() - row.failing_since.getTime();
    if (failingForMs < disableAfterMs) return null;
    const reason = `deliveries have failed since ${row.failing_since.toISOString()}`;
    return (await disableWebhook(tx, webhookId, reason)) ? reason : null;
  });
}

/**
 * Records that an event is to be delivered to a webhook, once: a second call for the same
 * (webhook, event) returns the existing row. `created` says which happened.
 */
export async function upsertDelivery(
  db: Db,
  row: {
    webhookId: string;
    eventId: string;
    orderId: string | null;
    eventType: string;
    workflowId: string;
  },
): Promise<{ delivery: WebhookDeliveryRow; created: boolean }> {
  const inserted = await db
    .insertInto('webhook_deliveries')
    .values({
      webhook_id: row.webhookId,
      event_id: row.eventId,
      order_id: row.orderId,
      event_type: row.eventType,
      workflow_id: row.workflowId,
      last_response_status: null,
      completed_at: null,
    })
    .onConflict((oc) => oc.columns(['webhook_id', 'event_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { delivery: inserted, created: true };
  const existing = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', row.webhookId)
    .where('event_id', '=', row.eventId)
    .executeTakeFirstOrThrow();
  return { delivery: existing, created: false };
}

export function findDeliveryByEvent(
  db: Db,
  webhookId: string,
  eventId: string,
): Promise<WebhookDeliveryRow | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
}

export interface TimelineEvent {
  event_id: string;
  event_type: string;
  created_at: Date;
}

/**
 * The events of an order in the order they happened, from order_events (the order worker
 * writes each step's row before it emits the step's Kafka event, and runs steps one after
 * another): the source of truth for ordering, since Kafka orders events per topic only.
 */
export function orderTimeline(db: Db, orderId: string): Promise<TimelineEvent[]> {
  return db
    .selectFrom('order_events')
    .select(['event_id', 'event_type', 'created_at'])
    .where('order_id', '=', orderId)
    .orderBy('created_at')
    .orderBy('event_id')
    .execute();
}

export function getDelivery(db: Db, deliveryId: string): Promise<WebhookDeliveryRow | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .executeTakeFirst();
}

/** The delivery of the same order to the same webhook that was scheduled just before this one. */
export function findPredecessor(
  db: Db,
  delivery: Pick<WebhookDeliveryRow, 'webhook_id' | 'order_id' | 'seq'>,
): Promise<Pick<WebhookDeliveryRow, 'workflow_id' | 'event_id' | 'status'> | undefined> {
  if (delivery.order_id === null) return Promise.resolve(undefined);
  return db
    .selectFrom('webhook_deliveries')
    .select(['workflow_id', 'event_id', 'status'])
    .where('webhook_id', '=', delivery.webhook_id)
    .where('order_id', '=', delivery.order_id)
    .where('seq', '<', delivery.seq)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Closes a delivery; a delivery already closed keeps its first outcome. */
export async function completeDelivery(
  db: Db,
  deliveryId: string,
  status: Exclude<WebhookDeliveryStatus, 'pending'>,
  attempts: number,
  lastResponseStatus: number | null,
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      status,
      attempts,
      last_response_status: lastResponseStatus,
      completed_at: sql<Date>`now()`,
    })
    .where('delivery_id', '=', deliveryId)
    .where('status', '=', 'pending')
    .execute();
}

export async function noteAttempt(
  db: Db,
  deliveryId: string,
  attempts: number,
  lastResponseStatus: number | null,
) {
  await db
    .updateTable('webhook_deliveries')
    .set({ attempts, last_response_status: lastResponseStatus })
    .where('delivery_id', '=', deliveryId)
    .where('status', '=', 'pending')
    .execute();
}

export interface AttemptLog {
  webhookId: string;
  deliveryId: string | null;
  eventId: string | null;
  orderId: string | null;
  eventType: string;
  requestPayload: Record<string, unknown>;
  responseStatus: number | null;
  responseBody: string | null;
  latencyMs: number | null;
  error: string | null;
  attempt: number;
  status: WebhookAttemptStatus;
}

/** One webhook_logs row per attempt; writing the same attempt twice keeps the first. */
export async function insertAttemptLog(db: Db, log: AttemptLog): Promise<void> {
  await db
    .insertInto('webhook_logs')
    .values({
      webhook_id: log.webhookId,
      delivery_id: log.deliveryId,
      event_id: log.eventId,
      order_id: log.orderId,
      event_type: log.eventType,
      request_payload: log.requestPayload,
      response_status: log.responseStatus,
      response_body: log.responseBody,
      latency_ms: log.latencyMs,
      error: log.error,
      attempts: log.attempt,
      status: log.status,
    })
    .onConflict((oc) =>
      oc.columns(['delivery_id', 'attempts']).where('delivery_id', 'is not', null).doNothing(),
    )
    .execute();
}

/** The delivery log of a webhook, newest first; `before` is the created_at/log_id cursor. */
export function listAttemptLogs(
  db: Db,
  webhookId: string,
  limit: number,
  before?: { createdAt: Date; logId: string },
): Promise<WebhookLogRow[]> {
  let query = db.selectFrom('webhook_logs').selectAll().where('webhook_id', '=', webhookId);
  if (before) {
    query = query.where((eb) =>
      eb(eb.refTuple('created_at', 'log_id'), '<', eb.tuple(before.createdAt, before.logId)),
    );
  }
  return query.orderBy('created_at', 'desc').orderBy('log_id', 'desc').limit(limit).execute();
}
