/**
 * Gauges read from Postgres when Prometheus scrapes, for what no process can count on its own:
 * orders still in flight (per status) and how long the oldest of them has gone without a
 * status change (stuck sagas), and the webhook delivery backlog.
 *
 * - One query per family, at most once per `minIntervalMs` however many scrapes arrive.
 * - Every replica that registers them reports the same values: dashboards and alerts take
 *   `max()` across instances, never `sum()`.
 * - A failing query never breaks the scrape: the previous values stay, and
 *   `backlog_gauges_up{family}` drops to 0 (the BacklogGaugesFailing alert watches it).
 *
 * Terminal statuses are left out on purpose: their counts only grow (a full-table count at
 * every scrape), and `saga_orders_finished_total` already counts them as they happen.
 */
import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../../db/client';
import { ORDER_STATUSES, TERMINAL_STATUSES, type OrderStatus } from '../contract/orders';

export const IN_FLIGHT_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter(
  (s) => !TERMINAL_STATUSES.includes(s),
);

export interface BacklogGaugeOptions {
  /** Scrapes closer together than this reuse the last query's answer (default 10 s). */
  minIntervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

type Family = 'orders' | 'webhooks';

/** Runs `query` at most once per interval; concurrent callers share one run. */
function throttled<T>(query: () => Promise<T>, minIntervalMs: number, now: () => number) {
  let last: { at: number; value: Promise<T> } | undefined;
  return (): Promise<T> => {
    if (!last || now() - last.at >= minIntervalMs) {
      const value = query();
      last = { at: now(), value };
      // A failed run is not cached: the next scrape tries again.
      value.catch(() => {
        if (last?.value === value) last = undefined;
      });
    }
    return last.value;
  };
}

/** The reads behind each registry's gauges, by family, for `backlog_gauges_up`. */
const familyReads = new WeakMap<Registry, Map<Family, () => Promise<unknown>>>();

/**
 * `backlog_gauges_up{family}`, registered once per registry. It runs the (throttled) reads
 * itself, so its value never depends on the order in which the registry collects.
 */
function registerFamily(registry: Registry, family: Family, read: () => Promise<unknown>): void {
  let reads = familyReads.get(registry);
  if (!reads) {
    const families = new Map<Family, () => Promise<unknown>>();
    reads = families;
    familyReads.set(registry, families);
    new Gauge({
      name: 'backlog_gauges_up',
      help: '1 when the last Postgres query behind the backlog gauges succeeded, by family',
      labelNames: ['family'],
      registers: [registry],
      async collect() {
        for (const [name, run] of families) {
          this.set(
            { family: name },
            await run().then(
              () => 1,
              () => 0,
            ),
          );
        }
      },
    });
  }
  reads.set(family, read);
}

/** Applies a fresh reading; on failure the previous values stay. */
async function refresh<T>(read: () => Promise<T>, apply: (value: T) => void): Promise<void> {
  try {
    apply(await read());
  } catch {
    // backlog_gauges_up reports it.
  }
}

interface StatusRow {
  status: OrderStatus;
  count: number;
  oldest_seconds: number;
}

/**
 * `orders_in_status{status}`: orders in each non-terminal status.
 * `orders_oldest_in_status_seconds{status}`: seconds since the least recently updated order
 * in that status last changed (0 when there is none): the stuck-order alert reads it.
 */
export function registerOrderBacklogGauges(
  registry: Registry,
  db: Db,
  options: BacklogGaugeOptions = {},
): void {
  const read = throttled(
    async () => {
      const rows = await db
        .selectFrom('orders')
        .select([
          'status',
          sql<number>`count(*)::int`.as('count'),
          sql<number>`extract(epoch from (now() - min(updated_at)))::float8`.as('oldest_seconds'),
        ])
        .where('status', 'in', [...IN_FLIGHT_STATUSES])
        .groupBy('status')
        .execute();
      return rows as StatusRow[];
    },
    options.minIntervalMs ?? 10_000,
    options.now ?? Date.now,
  );

  registerFamily(registry, 'orders', read);
  const byStatus = (rows: StatusRow[]) => new Map(rows.map((r) => [r.status, r]));
  new Gauge({
    name: 'orders_in_status',
    help: 'Orders currently in each non-terminal status (from Postgres)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      await refresh(read, (rows) => {
        const found = byStatus(rows);
        for (const status of IN_FLIGHT_STATUSES) {
          this.set({ status }, Number(found.get(status)?.count ?? 0));
        }
      });
    },
  });
  new Gauge({
    name: 'orders_oldest_in_status_seconds',
    help: 'Seconds since the least recently updated order in each non-terminal status changed',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      await refresh(read, (rows) => {
        const found = byStatus(rows);
        for (const status of IN_FLIGHT_STATUSES) {
          this.set({ status }, Math.max(0, Number(found.get(status)?.oldest_seconds ?? 0)));
        }
      });
    },
  });
}

/**
 * `webhook_deliveries_pending`: deliveries not yet delivered, failed for good or skipped.
 * `webhook_oldest_pending_seconds`: age of the oldest of them (0 when there is none).
 */
export function registerWebhookBacklogGauges(
  registry: Registry,
  db: Db,
  options: BacklogGaugeOptions = {},
): void {
  const read = throttled(
    async () => {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select([
          sql<number>`count(*)::int`.as('count'),
          sql<number | null>`extract(epoch from (now() - min(created_at)))::float8`.as(
            'oldest_seconds',
          ),
        ])
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      return { count: Number(row.count), oldest: Math.max(0, Number(row.oldest_seconds ?? 0)) };
    },
    options.minIntervalMs ?? 10_000,
    options.now ?? Date.now,
  );

  registerFamily(registry, 'webhooks', read);
  new Gauge({
    name: 'webhook_deliveries_pending',
    help: 'Webhook deliveries waiting to succeed (the backlog, from Postgres)',
    registers: [registry],
    async collect() {
      await refresh(read, (v) => this.set(v.count));
    },
  });
  new Gauge({
    name: 'webhook_oldest_pending_seconds',
    help: 'Age in seconds of the oldest pending webhook delivery',
    registers: [registry],
    async collect() {
      await refresh(read, (v) => this.set(v.oldest));
    },
  });
}
