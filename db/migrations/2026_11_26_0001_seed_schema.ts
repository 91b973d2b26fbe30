/**
 * The seed's schema (section 3.2) with every index, plus what the saga needs: a product
 * catalogue with stock, inventory reservations, payments with refunds, notifications, refresh
 * tokens and API idempotency keys. Deviations from the seed, on purpose:
 * - timestamptz instead of timestamp (instants, not wall-clock readings);
 * - gen_random_uuid() (built in since PG 13) instead of the uuid-ossp extension, which managed
 *   Postgres services do not always allow;
 * - users.role for the seed's RBAC (admin, user, system).
 * Frozen in time: typed Kysely<any> so later schema changes cannot break it.
 */
import { sql, type Kysely } from 'kysely';

/** Runs a script statement by statement: prepared statements take one command each. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen, not typed against today's schema
async function run(db: Kysely<any>, script: string): Promise<void> {
  const statements = script
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen, not typed against today's schema
export async function up(db: Kysely<any>): Promise<void> {
  await run(
    db,
    `
    CREATE TYPE order_status AS ENUM (
      'pending','validated','processing','paid','fulfilled','shipped','delivered','cancelled','failed'
    );

    CREATE TABLE users (
      user_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      email VARCHAR(255) UNIQUE NOT NULL,
      password_hash VARCHAR(255) NOT NULL,
      full_name VARCHAR(255),
      phone VARCHAR(20),
      role VARCHAR(20) NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user', 'system')),
      is_active BOOLEAN NOT NULL DEFAULT true,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE orders (
      order_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id UUID NOT NULL,
      status order_status NOT NULL DEFAULT 'pending',
      items JSONB NOT NULL,
      total_amount DECIMAL(10, 2) NOT NULL,
      shipping_address JSONB NOT NULL,
      payment_method VARCHAR(50) NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      metadata JSONB NOT NULL DEFAULT '{}',
      CONSTRAINT chk_total_amount CHECK (total_amount >= 0)
    );

    CREATE TABLE order_items (
      item_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      order_id UUID NOT NULL REFERENCES orders(order_id) ON DELETE CASCADE,
      product_id UUID NOT NULL,
      quantity INTEGER NOT NULL,
      unit_price DECIMAL(10, 2) NOT NULL,
      total_price DECIMAL(10, 2) NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      CONSTRAINT chk_quantity CHECK (quantity > 0),
      CONSTRAINT chk_unit_price CHECK (unit_price >= 0)
    );

    CREATE TABLE order_events (
      event_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      order_id UUID NOT NULL REFERENCES orders(order_id) ON DELETE CASCADE,
      event_type VARCHAR(50) NOT NULL,
      event_data JSONB NOT NULL DEFAULT '{}',
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      created_by VARCHAR(100)
    );

    CREATE TABLE webhooks (
      webhook_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id UUID NOT NULL,
      url VARCHAR(500) NOT NULL,
      secret VARCHAR(100) NOT NULL,
      event_types TEXT[] NOT NULL,
      is_active BOOLEAN NOT NULL DEFAULT true,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE webhook_logs (
      log_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      webhook_id UUID NOT NULL REFERENCES webhooks(webhook_id) ON DELETE CASCADE,
      order_id UUID REFERENCES orders(order_id),
      event_type VARCHAR(50) NOT NULL,
      request_payload JSONB,
      response_status INTEGER,
      response_body TEXT,
      attempts INTEGER NOT NULL DEFAULT 1,
      status VARCHAR(20) NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE INDEX idx_orders_user_id ON orders(user_id);
    CREATE INDEX idx_orders_status ON orders(status);
    CREATE INDEX idx_orders_created_at ON orders(created_at);
    CREATE INDEX idx_orders_user_status ON orders(user_id, status);
    CREATE INDEX idx_order_items_order_id ON order_items(order_id);
    CREATE INDEX idx_order_items_product_id ON order_items(product_id);
    CREATE INDEX idx_order_events_order_id ON order_events(order_id);
    CREATE INDEX idx_order_events_type_time ON order_events(event_type, created_at);
    CREATE INDEX idx_webhooks_user_id ON webhooks(user_id);
    CREATE INDEX idx_webhooks_active ON webhooks(is_active);
    CREATE INDEX idx_webhook_logs_webhook_id ON webhook_logs(webhook_id);
    CREATE INDEX idx_webhook_logs_status ON webhook_logs(status);
    -- cursor pagination of a user's orders, newest first
    CREATE INDEX idx_orders_user_created ON orders(user_id, created_at DESC, order_id DESC);
  `,
  );

  await run(
    db,
    `
    CREATE TABLE products (
      product_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      sku VARCHAR(64) UNIQUE NOT NULL,
      name VARCHAR(255) NOT NULL,
      price DECIMAL(10, 2) NOT NULL CHECK (price >= 0),
      stock INTEGER NOT NULL CHECK (stock >= 0),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    -- One row per order line taken out of stock; status moves reserved -> shipped or released.
    CREATE TABLE inventory_reservations (
      order_id UUID NOT NULL REFERENCES orders(order_id) ON DELETE CASCADE,
      product_id UUID NOT NULL REFERENCES products(product_id),
      quantity INTEGER NOT NULL CHECK (quantity > 0),
      status VARCHAR(20) NOT NULL CHECK (status IN ('reserved', 'released', 'shipped')),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (order_id, product_id)
    );

    -- A charge per order; the idempotency key (workflow id + step) makes a retried charge a no-op.
    CREATE TABLE payments (
      payment_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      order_id UUID NOT NULL REFERENCES orders(order_id) ON DELETE CASCADE,
      idempotency_key VARCHAR(200) UNIQUE NOT NULL,
      amount DECIMAL(10, 2) NOT NULL CHECK (amount >= 0),
      payment_method VARCHAR(50) NOT NULL,
      provider_reference VARCHAR(100) NOT NULL,
      status VARCHAR(20) NOT NULL CHECK (status IN ('captured', 'refunded')),
      refund_reference VARCHAR(100),
      captured_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      refunded_at TIMESTAMPTZ
    );
    CREATE INDEX idx_payments_order_id ON payments(order_id);

    -- Every message the notifier sent, once per order, template and channel.
    CREATE TABLE notifications (
      notification_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      order_id UUID NOT NULL REFERENCES orders(order_id) ON DELETE CASCADE,
      template VARCHAR(50) NOT NULL,
      channel VARCHAR(10) NOT NULL CHECK (channel IN ('email', 'sms')),
      recipient VARCHAR(255) NOT NULL,
      subject VARCHAR(255) NOT NULL,
      body TEXT NOT NULL,
      sent_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (order_id, template, channel)
    );

    CREATE TABLE refresh_tokens (
      token_id UUID PRIMARY KEY,
      user_id UUID NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
      family_id UUID NOT NULL,
      expires_at TIMESTAMPTZ NOT NULL,
      spent_at TIMESTAMPTZ,
      revoked_at TIMESTAMPTZ,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX idx_refresh_tokens_family ON refresh_tokens(family_id);

    -- POST /orders Idempotency-Key: same key and body -> same order; other body -> 409.
    CREATE TABLE idempotency_keys (
      user_id UUID NOT NULL,
      idempotency_key VARCHAR(255) NOT NULL,
      request_hash CHAR(64) NOT NULL,
      order_id UUID NOT NULL REFERENCES orders(order_id) ON DELETE CASCADE,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, idempotency_key)
    );
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await run(
    db,
    `
    DROP TABLE IF EXISTS idempotency_keys, refresh_tokens, notifications, payments,
      inventory_reservations, products, webhook_logs, webhooks, order_events, order_items,
      orders, users CASCADE;
    DROP TYPE IF EXISTS order_status;
  `,
  );
}
