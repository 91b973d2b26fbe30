/**
 * The sweep for stranded orders: rows the API committed as `pending` whose workflow it never
 * started (workflows/stranded-order.ts says how that happens and why such an order is failed,
 * not run). Every interval, the orders still pending `afterMs` after creation are each given
 * the stranded-order workflow under their own workflow id, `order-<order_id>`:
 *
 * - no workflow ever had that id: ours starts, announces the order and fails it;
 * - the saga exists, running (a backlog made it slow) or closed: the start is refused as
 *   "already started" (conflict policy FAIL, reuse policy REJECT_DUPLICATE) and the order is
 *   left alone. A slow saga costs one refused start per sweep, nothing else.
 *
 * The workflow id is the lock: several workers may sweep at once, a client retrying with its
 * Idempotency-Key at the same moment starts the saga or finds ours, never both.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { Counter, type Registry } from 'prom-client';
import type { Db } from '../../db/client';
import { ORDER_ROW_COLUMNS, workflowInputFromRow } from '../../db/order-rows';
import { orderWorkflowId } from '../contract/orders';
import { orderSearchAttributes } from '../contract/search-attributes';
import { STRANDED_ORDER_WORKFLOW_TYPE } from '../../workflows/definitions';
import type { strandedOrderWorkflow } from '../../workflows/stranded-order';
import type { Logger } from '../logger';

/**
 * Orders looked at per sweep, oldest first, continuing where the last sweep stopped: old
 * pending orders whose saga is stuck (say, on a task queue no worker polls any more) must not
 * keep the ones behind them from being looked at.
 */
const BATCH = 100;
/** Orders found to have a saga are not asked about again (memory bound: cleared past this). */
const MAX_KNOWN = 100_000;

export const STRANDED_REASON = 'the order could not be started; nothing was charged';

export interface StrandedOrderSweep {
  /** Looks at the next page of candidates; resolves with the ids of the orders it ended. */
  sweepOnce(): Promise<string[]>;
  /** Looks at every candidate, page after page, from the oldest. */
  sweepAll(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Counted so operators hear of it: it means the API could not reach Temporal (alert OrdersStranded). */
export function createStrandedOrderMetrics(registry: Registry) {
  return {
    strandedFailed: new Counter({
      name: 'orders_stranded_failed_total',
      help: 'Orders the API committed but never started, failed by the worker sweep',
      registers: [registry],
    }),
  };
}

export interface StrandedOrderOptions {
  taskQueue: string;
  afterMs: number;
  /** 0: no timer, `sweepOnce` only (tests). */
  intervalMs: number;
  clock?: () => Date;
  metrics?: ReturnType<typeof createStrandedOrderMetrics>;
}

export function startStrandedOrderSweep(
  db: Db,
  client: Client,
  logger: Logger,
  { taskQueue, afterMs, intervalMs, clock = () => new Date(), metrics }: StrandedOrderOptions,
): StrandedOrderSweep {
  let running: Promise<unknown> = Promise.resolve();
  let after: { createdAt: Date; orderId: string } | undefined;
  const hasSaga = new Set<string>();

  async function end(row: Parameters<typeof workflowInputFromRow>[0]): Promise<boolean> {
    const input = workflowInputFromRow(row);
    try {
      await client.workflow.start<typeof strandedOrderWorkflow>(STRANDED_ORDER_WORKFLOW_TYPE, {
        workflowId: orderWorkflowId(input.orderId),
        taskQueue,
        args: [input, STRANDED_REASON],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: orderSearchAttributes(input, 'pending'),
        staticSummary: `Order ${input.orderId} never started: announced and failed`,
      });
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false; // it has its saga
      throw err;
    }
  }

  async function sweepOnce(): Promise<string[]> {
    const rows = await db
      .selectFrom('orders')
      .select(ORDER_ROW_COLUMNS)
      .where('status', '=', 'pending')
      .where('created_at', '<', new Date(clock().getTime() - afterMs))
      .$if(after !== undefined, (q) =>
        q.where((eb) =>
          eb(
            eb.refTuple('created_at', 'order_id'),
            '>',
            eb.tuple(after!.createdAt, after!.orderId),
          ),
        ),
      )
      .orderBy('created_at')
      .orderBy('order_id')
      .limit(BATCH)
      .execute();
    const last = rows[rows.length - 1];
    after =
      rows.length === BATCH && last
        ? { createdAt: last.created_at, orderId: last.order_id }
        : undefined;
    if (hasSaga.size > MAX_KNOWN) hasSaga.clear();
    const ended: string[] = [];
    for (const row of rows) {
      if (hasSaga.has(row.order_id)) continue;
      if (await end(row)) ended.push(row.order_id);
      else hasSaga.add(row.order_id);
    }
    if (ended.length > 0) {
      metrics?.strandedFailed.inc(ended.length);
      logger.warn({ orders: ended }, 'stranded orders (committed, never started) failed');
    }
    return ended;
  }

  const timer =
    intervalMs > 0
      ? setInterval(() => {
          running = running
            .then(sweepOnce)
            .catch((err: unknown) =>
              logger.warn({ err: String(err) }, 'stranded-order sweep failed'),
            );
        }, intervalMs)
      : undefined;

  return {
    sweepOnce,
    async sweepAll() {
      after = undefined;
      const ended: string[] = [];
      do ended.push(...(await sweepOnce()));
      while (after !== undefined);
      return ended;
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
