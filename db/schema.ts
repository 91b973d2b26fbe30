/**
 * The typed schema kysely checks every query against. One interface per table, one
 * `Database` over them. DECIMAL columns come back from postgres.js as strings ("19.99"): money
 * stays exact and is turned into cents by src/domain/money.ts.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { OrderStatus } from '../src/contract/orders';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/**
 * JSONB columns take the value itself: postgres.js serialises it for the jsonb parameter, so
 * a pre-stringified value would be stored as a JSON *string* (the type forbids it).
 */
type Json<T> = ColumnType<T, T, T>;
type Money = ColumnType<string, string, string>;

export type Role = 'admin' | 'user' | 'system';

export interface UsersTable {
  user_id: Generated<string>;
  email: string;
  password_hash: string;
  full_name: string | null;
  phone: string | null;
  role: ColumnType<Role, Role | undefined, Role>;
  is_active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrderItemJson {
  product_id: string;
  quantity: number;
  price: string;
}

export interface OrdersTable {
  order_id: string;
  user_id: string;
  status: ColumnType<OrderStatus, OrderStatus | undefined, OrderStatus>;
  items: Json<OrderItemJson[]>;
  total_amount: Money;
  shipping_address: Json<Record<string, string>>;
  payment_method: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  metadata: Json<Record<string, unknown>>;
}

export interface OrderItemsTable {
  item_id: Generated<string>;
  order_id: string;
  product_id: string;
  quantity: number;
  unit_price: Money;
  total_price: Money;
  created_at: Timestamp;
}

export interface OrderEventsTable {
  event_id: string;
  order_id: string;
  event_type: string;
  event_data: Json<Record<string, unknown>>;
  created_at: Timestamp;
  created_by: string | null;
}

export interface WebhooksTable {
  webhook_id: Generated<string>;
  user_id: string;
  url: string;
  /** AES-256-GCM envelope of the `whsec_...` signing secret (src/webhooks/secret-box.ts). */
  secret: string;
  event_types: string[];
  is_active: Generated<boolean>;
  /** Why the platform switched the webhook off (410 Gone, failing for days); null otherwise. */
  disabled_reason: string | null;
  disabled_at: Date | null;
  /** Start of the current run of failed deliveries; cleared by a successful one. */
  failing_since: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed' | 'rejected' | 'skipped';

/** One row per (webhook, event): the dedupe key of the dispatcher; `seq` orders an order's events. */
export interface WebhookDeliveriesTable {
  delivery_id: Generated<string>;
  seq: ColumnType<string, never, never>;
  webhook_id: string;
  event_id: string;
  order_id: string | null;
  event_type: string;
  workflow_id: string;
  status: ColumnType<
    WebhookDeliveryStatus,
    WebhookDeliveryStatus | undefined,
    WebhookDeliveryStatus
  >;
  attempts: Generated<number>;
  last_response_status: number | null;
  created_at: Timestamp;
  completed_at: Date | null;
}

export type WebhookAttemptStatus = 'succeeded' | 'retrying' | 'failed';

/** One row per delivery attempt; `attempts` is the attempt number (1-based). */
export interface WebhookLogsTable {
  log_id: Generated<string>;
  webhook_id: string;
  delivery_id: string | null;
  event_id: string | null;
  order_id: string | null;
  event_type: string;
  request_payload: Json<Record<string, unknown>> | null;
  response_status: number | null;
  response_body: string | null;
  latency_ms: number | null;
  error: string | null;
  attempts: Generated<number>;
  status: WebhookAttemptStatus;
  created_at: Timestamp;
}

export interface ProductsTable {
  product_id: Generated<string>;
  sku: string;
  name: string;
  price: Money;
  stock: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type ReservationStatus = 'reserved' | 'released' | 'shipped';

export interface InventoryReservationsTable {
  order_id: string;
  product_id: string;
  quantity: number;
  status: ReservationStatus;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PaymentsTable {
  payment_id: Generated<string>;
  order_id: string;
  idempotency_key: string;
  amount: Money;
  payment_method: string;
  provider_reference: string;
  status: 'captured' | 'refunded';
  refund_reference: string | null;
  captured_at: Timestamp;
  refunded_at: Date | null;
}

export interface NotificationsTable {
  notification_id: Generated<string>;
  order_id: string;
  template: string;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string;
  body: string;
  sent_at: Timestamp;
}

export interface RefreshTokensTable {
  token_id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  spent_at: Date | null;
  revoked_at: Date | null;
  created_at: Timestamp;
}

export interface IdempotencyKeysTable {
  user_id: string;
  idempotency_key: string;
  request_hash: string;
  order_id: string;
  created_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_events: OrderEventsTable;
  webhooks: WebhooksTable;
  webhook_logs: WebhookLogsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  products: ProductsTable;
  inventory_reservations: InventoryReservationsTable;
  payments: PaymentsTable;
  notifications: NotificationsTable;
  refresh_tokens: RefreshTokensTable;
  idempotency_keys: IdempotencyKeysTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Order = Selectable<OrdersTable>;
export type OrderUpdate = Updateable<OrdersTable>;
export type Product = Selectable<ProductsTable>;
