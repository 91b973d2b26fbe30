/**
 * Webhooks beyond the seed's two tables:
 * - webhooks.secret holds an AES-256-GCM envelope now (longer than the seed's VARCHAR(100));
 *   disabled_reason / disabled_at say why a webhook was switched off (410 Gone, failing for
 *   days), failing_since starts the clock for the latter.
 * - webhook_deliveries: one row per (webhook, event), the dedupe key for everything the
 *   dispatcher schedules; seq orders the deliveries of one order.
 * - webhook_logs: one row per attempt, with the event id, the delivery, latency and error.
 *   Its order_id no longer references orders: an audit row must never fail, or block an
 *   order's deletion, because of the order row.
 * Frozen in time: typed Kysely<any> so later schema changes cannot break it.
 */
import { sql, type Kysely } from 'kysely';

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
    ALTER TABLE webhooks ALTER COLUMN secret TYPE TEXT;
    ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT;
    ALTER TABLE webhooks ADD COLUMN disabled_at TIMESTAMPTZ;
    ALTER TABLE webhooks ADD COLUMN failing_since TIMESTAMPTZ;
    -- the dispatcher's lookup: a user's active webhooks
    CREATE INDEX idx_webhooks_user_active ON webhooks(user_id) WHERE is_active;

    CREATE TABLE webhook_deliveries (
      delivery_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      seq BIGSERIAL NOT NULL,
      webhook_id UUID NOT NULL REFERENCES webhooks(webhook_id) ON DELETE CASCADE,
      event_id UUID NOT NULL,
      order_id UUID,
      event_type VARCHAR(50) NOT NULL,
      workflow_id VARCHAR(200) NOT NULL,
      status VARCHAR(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'failed', 'rejected', 'skipped')),
      attempts INTEGER NOT NULL DEFAULT 0,
      last_response_status INTEGER,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      completed_at TIMESTAMPTZ,
      UNIQUE (webhook_id, event_id)
    );
    CREATE INDEX idx_webhook_deliveries_order ON webhook_deliveries(webhook_id, order_id, seq);

    ALTER TABLE webhook_logs DROP CONSTRAINT IF EXISTS webhook_logs_order_id_fkey;
    ALTER TABLE webhook_logs ADD COLUMN event_id UUID;
    ALTER TABLE webhook_logs ADD COLUMN delivery_id UUID REFERENCES webhook_deliveries(delivery_id) ON DELETE CASCADE;
    ALTER TABLE webhook_logs ADD COLUMN latency_ms INTEGER;
    ALTER TABLE webhook_logs ADD COLUMN error TEXT;
    -- one row per attempt of a delivery, even when an activity is retried after a crash
    CREATE UNIQUE INDEX uq_webhook_logs_delivery_attempt ON webhook_logs(delivery_id, attempts)
      WHERE delivery_id IS NOT NULL;
    -- the delivery log, newest first
    CREATE INDEX idx_webhook_logs_webhook_created ON webhook_logs(webhook_id, created_at DESC, log_id DESC);
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await run(
    db,
    `
    DROP INDEX IF EXISTS idx_webhook_logs_webhook_created;
    DROP INDEX IF EXISTS uq_webhook_logs_delivery_attempt;
    ALTER TABLE webhook_logs DROP COLUMN IF EXISTS error;
    ALTER TABLE webhook_logs DROP COLUMN IF EXISTS latency_ms;
    ALTER TABLE webhook_logs DROP COLUMN IF EXISTS delivery_id;
    ALTER TABLE webhook_logs DROP COLUMN IF EXISTS event_id;
    DROP TABLE IF EXISTS webhook_deliveries;
    DROP INDEX IF EXISTS idx_webhooks_user_active;
    ALTER TABLE webhooks DROP COLUMN IF EXISTS failing_since;
    ALTER TABLE webhooks DROP COLUMN IF EXISTS disabled_at;
    ALTER TABLE webhooks DROP COLUMN IF EXISTS disabled_reason;
  `,
  );
}
