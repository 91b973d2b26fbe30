/**
 * The ending of an order whose saga never started: the API committed it, then could not start
 * its workflow (Temporal unreachable, the process killed in between) and the client, which got
 * an error instead of a 202, did not retry with its Idempotency-Key. Nothing was charged or
 * reserved; the order is announced (so every consumer that sees it fail has seen it created)
 * and failed, through the same activities as the saga, so Postgres, Kafka and the WebSocket
 * agree. Started by the worker's sweep under `order-<order_id>`: a saga that does exist makes
 * that start fail, so the two never both run for one order.
 */
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { OrderActivities } from '../activities';
import type { OrderWorkflowInput } from '../src/domain/order';
import { OrderStatusKey } from '../src/contract/search-attributes';
import { STEP_OPTIONS } from './policies';

const steps = proxyActivities<OrderActivities>(STEP_OPTIONS);

export async function strandedOrderWorkflow(
  input: OrderWorkflowInput,
  reason: string,
): Promise<void> {
  await steps.announceCreated(input);
  await steps.markFailed(input, { step: 'start', reason, refunded: false });
  upsertSearchAttributes([{ key: OrderStatusKey, value: 'failed' }]);
}
