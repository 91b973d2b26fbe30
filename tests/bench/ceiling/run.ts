/**
 * Runs the ceiling: the no-op workflow of the saga's shape (workflow.ts), on the same Temporal
 * server, with the same worker settings, paced exactly like the load run (same pacer, same
 * rate or concurrency, same window), started straight through the Temporal client with the
 * options the API uses. Two figures come out of it:
 *
 * - workflows/s: what Temporal and one worker process can do on this machine for an order of
 *   this shape; the saga's throughput is reported as a fraction of it;
 * - StartWorkflowExecution latency as a bare client sees it, the yardstick for POST /orders.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../../../src/config';
import {
  CustomerIdKey,
  OrderStatusKey,
  OrderTotalKey,
} from '../../../src/contract/search-attributes';
import type { OrderWorkflowInput } from '../../../src/domain/order';
import { temporalConnectionOptions } from '../../../src/temporal/connection';
import type { PacingOptions } from '../lib/options';
import { pace } from '../lib/pacer';
import { ProcSampler } from '../lib/proc-stats';
import { startProgress } from '../lib/progress';
import type { CeilingFigures } from '../lib/results';
import { scrape, workerFigures } from '../lib/sdk-metrics';
import { round, Samples } from '../lib/stats';
import { freePort } from '../lib/free-port';

/** The yardstick, and the experiments (ceiling/workflow.ts). */
export const CEILING_VARIANTS = {
  saga: 'ceilingWorkflow',
  'local-notify': 'ceilingLocalNotifyWorkflow',
  'no-upserts': 'ceilingNoUpsertsWorkflow',
} as const;
export type CeilingVariant = keyof typeof CEILING_VARIANTS;

export interface CeilingContext {
  config: Config;
  /** The environment of the ceiling's worker: the apps' environment of the same run. */
  env: NodeJS.ProcessEnv;
  pidDirs: readonly { dir: string; prefix?: string }[];
  /** Other processes to sample, by name (a scratch Temporal server). */
  extraPids?: readonly [string, number][];
  quiet?: boolean;
  variant?: CeilingVariant;
}

const WORKER_ENTRY = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const READY_TIMEOUT_MS = 180_000;

export async function runCeiling(
  ctx: CeilingContext,
  options: PacingOptions,
): Promise<CeilingFigures> {
  const runId = randomUUID().slice(0, 8);
  const taskQueue = `bench-ceiling-${runId}`;
  const metricsPort = await freePort();
  const child = fork(WORKER_ENTRY, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...ctx.env,
      BENCH_CEILING_TASK_QUEUE: taskQueue,
      BENCH_CEILING_METRICS_PORT: String(metricsPort),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const delivered = new Map<string, () => void>();
  const completedAt = new Map<string, number>();
  child.on('message', (m: { type?: string; workflowId?: string }) => {
    if (m.type !== 'delivered' || !m.workflowId) return;
    completedAt.set(m.workflowId, Date.now());
    delivered.get(m.workflowId)?.();
  });
  const connection = await Connection.connect(temporalConnectionOptions(ctx.config));
  const client = new Client({ connection, namespace: ctx.config.TEMPORAL_NAMESPACE });
  try {
    await waitReady(child);
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const before = await scrape(metricsUrl);
    const sampler = new ProcSampler(ctx.pidDirs, () => [
      ...(ctx.extraPids ?? []),
      ...(child.pid !== undefined ? [['ceiling-worker', child.pid] as [string, number]] : []),
    ]);
    sampler.start();
    const startLatency = new Samples();
    const workflowLatency = new Samples();
    let inFlight = 0;
    const progress = ctx.quiet
      ? undefined
      : startProgress('ceiling', {
          submitted: () => startLatency.count,
          completed: () => completedAt.size,
          inFlight: () => inFlight,
          errors: () => 0,
        });
    const launch = async (seq: number): Promise<void> => {
      const workflowId = `ceiling-${runId}-${seq}`;
      const input = fakeOrder(seq);
      inFlight++;
      try {
        const finished = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), options.drainTimeout * 1000);
          delivered.set(workflowId, () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        const t0 = performance.now();
        const startedAtMs = Date.now();
        // The options the API starts an order with (api/services/workflows.ts).
        await client.workflow.start(CEILING_VARIANTS[ctx.variant ?? 'saga'], {
          workflowId,
          taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: OrderStatusKey, value: 'pending' },
            { key: CustomerIdKey, value: input.userId },
            { key: OrderTotalKey, value: input.totalCents / 100 },
          ],
          staticSummary: `Ceiling order ${seq}`,
        });
        startLatency.add(performance.now() - t0);
        if (await finished)
          workflowLatency.add((completedAt.get(workflowId) ?? Date.now()) - startedAtMs);
      } finally {
        delivered.delete(workflowId);
        inFlight--;
      }
    };
    const result = await pace(options, launch);
    progress?.stop();
    const processes = sampler.stop(completedAt.size);
    const after = await scrape(metricsUrl);

    const windowStart = result.startedAt + options.warmup * 1000;
    const steady = result.submittedUntil - windowStart >= 1000;
    const from = steady ? windowStart : result.startedAt;
    const to = steady ? result.submittedUntil : result.drainedAt;
    const inWindow = [...completedAt.values()].filter((t) => t >= from && t <= to).length;
    const windowSeconds = Math.max(0.001, (to - from) / 1000);
    await terminateUnfinished(client, runId, result.issued, completedAt);
    return {
      workflowsPerSecond: round(inWindow / windowSeconds, 1),
      windowSeconds: round(windowSeconds, 1),
      completedInWindow: inWindow,
      started: startLatency.count,
      completed: completedAt.size,
      abandoned: result.abandoned,
      startLatencyMs: startLatency.summary(),
      workflowLatencyMs: workflowLatency.summary(),
      worker: before && after ? workerFigures(before, after, taskQueue) : null,
      processes,
    };
  } finally {
    await stopChild(child);
    await connection.close();
  }
}

function fakeOrder(seq: number): OrderWorkflowInput {
  return {
    orderId: randomUUID(),
    userId: randomUUID(),
    items: [{ productId: randomUUID(), quantity: 1 + (seq % 3), unitPriceCents: 1250 }],
    totalCents: 1250 * (1 + (seq % 3)),
    shippingAddress: {
      street: '1 Bench Way',
      city: 'Springfield',
      state: 'IL',
      zip: '62701',
      country: 'US',
    },
    paymentMethod: 'credit_card',
    createdAt: new Date().toISOString(),
  };
}

/** Workflows a drain timeout gave up on would wait 7 days for a signal: end them now. */
async function terminateUnfinished(
  client: Client,
  runId: string,
  issued: number,
  completedAt: ReadonlyMap<string, number>,
): Promise<void> {
  const open: string[] = [];
  for (let seq = 0; seq < issued; seq++) {
    const id = `ceiling-${runId}-${seq}`;
    if (!completedAt.has(id)) open.push(id);
  }
  await Promise.all(
    open.map((id) =>
      client.workflow
        .getHandle(id)
        .terminate('bench ceiling run ended')
        .catch(() => undefined),
    ),
  );
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the ceiling worker was not ready in time')),
      READY_TIMEOUT_MS,
    );
    child.on('message', (m: { type?: string }) => {
      if (m.type !== 'ready') return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ceiling worker exited (code ${code}) before it was ready`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send({ type: 'stop' }, () => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}
