/**
 * What must hold after a chaos run, each checked against Postgres (the system of record),
 * the Kafka topics read back exactly, and what the customers' sockets received. Each check
 * reports a count (of violations, or of what was checked when there are none) so a passing
 * run still says how much it covered.
 */
import type { Db } from '../../../db/client';
import { TERMINAL_STATUSES } from '../../../src/contract/orders';
import type { Catalogue } from '../lib/catalogue';
import type { KafkaEventsRead } from '../lib/kafka-events';
import type { FinishedLoad } from '../lib/load-run';
import type { OrderFacts } from '../lib/postgres-facts';
import type { StockWatch } from './stock-watch';
import type { WebhookOutcome, WebhookSetup } from './webhooks';

export interface Invariant {
  name: string;
  ok: boolean;
  /** Violations when it fails; what was checked when it holds. */
  count: number;
  detail: string;
}

export interface InvariantInput {
  db: Db;
  run: FinishedLoad;
  /** Every order of the run's customers, including any whose 202 was never received. */
  allFacts: Map<string, OrderFacts>;
  catalogue: Catalogue;
  kafka: KafkaEventsRead;
  stock: StockWatch;
  webhooks: { setup: WebhookSetup; outcome?: WebhookOutcome };
}

const CHUNK = 1000;
const isTerminal = (s: string): boolean => (TERMINAL_STATUSES as readonly string[]).includes(s);

function holds(
  name: string,
  violations: number,
  checked: number,
  what: string,
  sample: string[] = [],
): Invariant {
  return violations === 0
    ? { name, ok: true, count: checked, detail: `${checked} ${what} checked` }
    : {
        name,
        ok: false,
        count: violations,
        detail: `${violations} of ${checked} ${what}${sample.length ? `, e.g. ${sample.slice(0, 3).join(', ')}` : ''}`,
      };
}

export async function checkInvariants(input: InvariantInput): Promise<Invariant[]> {
  const { run, allFacts, kafka } = input;
  const accepted = run.tracker.acceptedRecords();
  const results: Invariant[] = [];

  // 1. Nothing lost, nothing stuck.
  const stuck = accepted.filter((r) => !isTerminal(allFacts.get(r.orderId)?.status ?? 'missing'));
  results.push(
    holds(
      'every 202-accepted order reached a terminal status',
      stuck.length,
      accepted.length,
      'orders',
      stuck.map((r) => `${r.orderId} (${allFacts.get(r.orderId)?.status ?? 'absent'})`),
    ),
  );

  // 2–3. Money.
  const ids = [...allFacts.keys()];
  const payments = await paymentsOf(input.db, ids);
  const chargedTwice = [...payments].filter(([, p]) => p.length > 1).map(([id]) => id);
  results.push(
    holds(
      'no order charged twice (payments per order ≤ 1)',
      chargedTwice.length,
      ids.length,
      'orders',
      chargedTwice,
    ),
  );
  const unrefunded = [...allFacts.values()]
    .filter(
      (f) =>
        (f.status === 'failed' || f.status === 'cancelled') &&
        (payments.get(f.orderId) ?? []).some((s) => s === 'captured'),
    )
    .map((f) => f.orderId);
  const chargedFailed = [...allFacts.values()].filter(
    (f) => (f.status === 'failed' || f.status === 'cancelled') && payments.has(f.orderId),
  ).length;
  results.push(
    holds(
      'every failed or cancelled order that was charged is refunded',
      unrefunded.length,
      chargedFailed,
      'charged failed/cancelled orders',
      unrefunded,
    ),
  );
  const delivered = [...allFacts.values()].filter((f) => f.status === 'delivered');
  const badDelivered = delivered
    .filter((f) => (payments.get(f.orderId) ?? []).join() !== 'captured')
    .map((f) => f.orderId);
  results.push(
    holds(
      'every delivered order is charged exactly once, not refunded',
      badDelivered.length,
      delivered.length,
      'delivered orders',
      badDelivered,
    ),
  );

  // 4. Stock.
  const negative = input.catalogue.all
    .filter((p) => (input.stock.lowest.get(p.productId) ?? 0) < 0)
    .map((p) => p.sku);
  results.push(
    holds(
      `stock never negative (${input.stock.samples} samples during the run)`,
      negative.length,
      input.catalogue.all.length,
      'products',
      negative,
    ),
  );
  const { mismatched, leftReserved, reservations } = await stockBalance(input, allFacts);
  results.push(
    holds(
      'stock + reserved + shipped == starting stock, per product',
      mismatched.length,
      input.catalogue.all.length,
      'products',
      mismatched,
    ),
  );
  results.push(
    holds(
      'no stock left reserved by a finished order',
      leftReserved.length,
      reservations,
      'reservations',
      leftReserved,
    ),
  );

  // 5. Postgres, Kafka and the sockets agree, per order.
  let kafkaMissing = 0;
  let kafkaUnknown = 0;
  let kafkaDuplicates = 0;
  let expectedOnKafka = 0;
  const kafkaSample: string[] = [];
  for (const f of allFacts.values()) {
    const onKafka = kafka.byOrder.get(f.orderId) ?? new Map<string, number>();
    for (const id of f.topicEventIds) {
      expectedOnKafka++;
      if (!onKafka.has(id)) {
        kafkaMissing++;
        kafkaSample.push(`${f.orderId}/${id}`);
      }
    }
    for (const [id, copies] of onKafka) {
      if (!f.topicEventIds.has(id)) kafkaUnknown++;
      kafkaDuplicates += copies - 1;
    }
  }
  const incomplete =
    kafka.incomplete.length > 0
      ? ` (partitions not fully read: ${kafka.incomplete.join(', ')})`
      : '';
  results.push({
    ...holds(
      'Kafka holds every Postgres event of the run (repeats allowed)',
      kafkaMissing,
      expectedOnKafka,
      'events',
      kafkaSample,
    ),
    ...(kafkaMissing === 0
      ? {
          detail: `${expectedOnKafka} events checked, ${kafkaDuplicates} repeated copies${incomplete}`,
        }
      : {}),
  });
  results.push(
    holds(
      'Kafka has no event Postgres does not know',
      kafkaUnknown + kafka.invalid,
      expectedOnKafka,
      'events',
    ),
  );

  let wsLost = 0;
  let wsExtra = 0;
  let wsExpected = 0;
  const wsSample: string[] = [];
  for (const r of accepted) {
    const f = allFacts.get(r.orderId);
    if (!f) continue;
    for (const id of f.statusEventIds) {
      wsExpected++;
      if (!r.updates.has(id)) {
        wsLost++;
        // Who and when: enough to line the loss up with the faults and the gateway's log.
        const at = f.statusEventAt.get(id);
        const when = at === undefined ? '' : ` at ${new Date(at).toISOString().slice(11, 23)}`;
        wsSample.push(`${r.orderId}/${id} (user ${f.userId}${when})`);
      }
    }
    for (const id of r.updates.keys()) if (!f.statusEventIds.has(id)) wsExtra++;
  }
  results.push(
    holds(
      'every status change in Postgres arrived over the WebSocket (lost = 0)',
      wsLost,
      wsExpected,
      'status changes',
      wsSample,
    ),
  );
  results.push(
    holds(
      'the WebSocket sent no status Postgres does not have',
      wsExtra,
      wsExpected,
      'status changes',
    ),
  );

  // 6. Webhooks.
  const { setup, outcome } = input.webhooks;
  if (!setup.enabled || !outcome) {
    results.push({
      name: 'webhooks: every event delivered at least once, one stable webhook-id',
      ok: true,
      count: 0,
      detail: `skipped: ${setup.enabled ? 'not checked' : setup.note}`,
    });
  } else {
    const violations =
      outcome.missing + outcome.unstableIds + outcome.sharedIds + outcome.misrouted;
    results.push({
      name: 'webhooks: every event delivered at least once, one stable webhook-id',
      ok: violations === 0,
      count: violations === 0 ? outcome.expected : violations,
      detail:
        `${outcome.expected} events (the orders of ${setup.registered} customers with a webhook): missing ${outcome.missing}, ` +
        `several ids ${outcome.unstableIds}, shared ids ${outcome.sharedIds}, misrouted ${outcome.misrouted}, ` +
        `${outcome.copies} requests received`,
    });
  }
  return results;
}

async function paymentsOf(db: Db, orderIds: readonly string[]): Promise<Map<string, string[]>> {
  const byOrder = new Map<string, string[]>();
  for (let i = 0; i < orderIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('payments')
      .select(['order_id', 'status'])
      .where('order_id', 'in', orderIds.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) byOrder.set(r.order_id, [...(byOrder.get(r.order_id) ?? []), r.status]);
  }
  return byOrder;
}

async function stockBalance(input: InvariantInput, allFacts: Map<string, OrderFacts>) {
  const productIds = input.catalogue.all.map((p) => p.productId);
  const [products, rows] = await Promise.all([
    input.db
      .selectFrom('products')
      .select(['product_id', 'sku', 'stock'])
      .where('product_id', 'in', productIds)
      .execute(),
    input.db
      .selectFrom('inventory_reservations')
      .select(['order_id', 'product_id', 'quantity', 'status'])
      .where('product_id', 'in', productIds)
      .execute(),
  ]);
  const held = new Map<string, number>();
  const leftReserved: string[] = [];
  for (const r of rows) {
    if (r.status === 'reserved' || r.status === 'shipped')
      held.set(r.product_id, (held.get(r.product_id) ?? 0) + r.quantity);
    const status = allFacts.get(r.order_id)?.status;
    if (r.status === 'reserved' && status && isTerminal(status))
      leftReserved.push(`${r.order_id} (${status})`);
  }
  const mismatched: string[] = [];
  for (const p of input.catalogue.all) {
    const now = products.find((row) => row.product_id === p.productId)?.stock ?? Number.NaN;
    const total = now + (held.get(p.productId) ?? 0);
    if (total !== p.startingStock)
      mismatched.push(`${p.sku}: ${now} + ${held.get(p.productId) ?? 0} ≠ ${p.startingStock}`);
  }
  return { mismatched, leftReserved, reservations: rows.length };
}
