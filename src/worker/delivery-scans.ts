/**
 * The carrier simulator's delivery scans: shipments scheduled in a Redis sorted set (see
 * src/providers/carrier.ts) are leased when due and turned into the order workflow's
 * `delivered` signal. Lives in the worker process; survives its restarts because the
 * schedule is in Redis.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Redis } from 'ioredis';
import { SCHEDULED_DELIVERIES } from '../providers/carrier';
import { deliveredSignal } from '../../workflows/definitions';
import type { Logger } from '../logger';

/**
 * Due scans are leased, not removed, before the signal is sent: a worker killed between the
 * two leaves the entry in place and another worker signals once the lease runs out. A second
 * `delivered` signal is harmless (the workflow keeps the first), so at-least-once is right.
 */
const LEASE_MS = 5000;
const LEASE_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], 0, ARGV[1], 'LIMIT', 0, 200)
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], member) end
return due
`;

async function leaseDue(redis: Redis, now: number, leaseUntil: number): Promise<string[]> {
  return (await redis.eval(LEASE_DUE, 1, SCHEDULED_DELIVERIES, now, leaseUntil)) as string[];
}

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
    const now = clock().getTime();
    const due = await leaseDue(redis, now, now + LEASE_MS);
    await Promise.all(
      due.map(async (workflowId) => {
        try {
          await client.workflow
            .getHandle(workflowId)
            .signal(deliveredSignal, { deliveredAt: clock().toISOString() });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) {
            // Leave it scheduled: the lease runs out and a worker tries again.
            logger.warn(
              { workflowId, err: String(err) },
              'delivery scan not delivered, will retry',
            );
            return;
          }
          // Not found: already finished or written off; nothing left to tell it.
        }
        await redis.zrem(SCHEDULED_DELIVERIES, workflowId);
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
