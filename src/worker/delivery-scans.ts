/**
 * The carrier simulator's delivery scans: shipments scheduled in a Redis sorted set (see
 * src/providers/carrier.ts) are claimed when due (ZREM: one worker wins) and turned into the
 * order workflow's `delivered` signal. Lives in the worker process; survives its restarts
 * because the schedule is in Redis.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Redis } from 'ioredis';
import { SCHEDULED_DELIVERIES } from '../providers/carrier';
import { deliveredSignal } from '../../workflows/definitions';
import type { Logger } from '../logger';

export interface DeliveryScanner {
  stop(): Promise<void>;
}

export function startDeliveryScanner(
  redis: Redis,
  client: Client,
  logger: Logger,
  { intervalMs = 100, clock = () => new Date() } = {},
): DeliveryScanner {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  async function scanOnce(): Promise<void> {
    const due = await redis.zrangebyscore(
      SCHEDULED_DELIVERIES,
      0,
      clock().getTime(),
      'LIMIT',
      0,
      200,
    );
    await Promise.all(
      due.map(async (workflowId) => {
        if ((await redis.zrem(SCHEDULED_DELIVERIES, workflowId)) !== 1) return; // another worker has it
        try {
          await client.workflow
            .getHandle(workflowId)
            .signal(deliveredSignal, { deliveredAt: clock().toISOString() });
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return; // already finished or written off
          await redis.zadd(SCHEDULED_DELIVERIES, clock().getTime() + 1000, workflowId);
          logger.warn({ workflowId, err: String(err) }, 'delivery scan not delivered, will retry');
        }
      }),
    );
  }

  const timer = setInterval(() => {
    if (stopped) return;
    running = running
      .then(scanOnce)
      .catch((err: unknown) => logger.warn({ err: String(err) }, 'delivery scan failed'));
  }, intervalMs);

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
