/**
 * `npm run chaos`: fault injection with invariants. Brings the stack up like `npm run bench`
 * (plus loopback webhooks allowed and quick webhook retries), runs the load generator with a
 * failure mix, and meanwhile kills the worker, restarts Kafka, Redis, the API and the
 * gateway, and freezes Postgres, on a schedule (chaos/faults.ts). Then it waits for every
 * order and checks each invariant (chaos/invariants.ts), printing it with its count; the exit
 * code is 1 if any fails or a fault could not be injected.
 *
 *   npm run chaos                                  ≥ 2000 orders at 20/s, faults every 15 s
 *   npm run chaos -- --orders 300 --no-repeat-faults   each fault once
 *   npm run chaos -- --faults worker-kill,kafka-restart
 */
import os from 'node:os';
import { z } from 'zod';
import { createDb } from '../../db/client';
import { FAULT_KINDS } from './chaos/faults';
import { printInvariants, runChaos } from './chaos/run';
import { parseOptions, UsageError } from './lib/args';
import { envPairs, loadShape } from './lib/options';
import { printKafka, printLoad, printProcesses, writeResult } from './lib/report';
import { loadFigures, type BenchResult } from './lib/results';
import { BENCH_APP_ENV, bringUp } from './lib/stack';
import { round } from './lib/stats';

/** What the chaos run adds to the bench's app settings: webhooks to a loopback receiver, retried quickly. */
export const CHAOS_APP_ENV: Readonly<Record<string, string>> = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_RETRY_INITIAL_MS: '500',
  WEBHOOK_RETRY_MAX_INTERVAL_MS: '5000',
  WEBHOOK_ORDER_RECHECK_MS: '250',
};

const pct = (d: number) => z.coerce.number().min(0).max(100).default(d);

const shape = {
  ...loadShape,
  rate: z.coerce.number().min(0).default(20).describe('orders started per second (0 = max)'),
  concurrency: z.coerce.number().int().min(1).default(300).describe('orders in flight at most'),
  orders: z.coerce.number().int().min(1).default(2000).describe('orders to submit at least'),
  declines: pct(5).describe("% of orders paid with 'card_declined'"),
  outOfStock: pct(2).describe('% of orders for more units than exist'),
  cancels: pct(3).describe('% of orders cancelled'),
  cancelWhen: loadShape.cancelWhen.default('accepted,paid'),
  maxDuration: z.coerce.number().positive().default(900).describe('seconds of submitting at most'),
  firstFaultAfter: z.coerce.number().min(0).default(10).describe('seconds before the first fault'),
  faultInterval: z.coerce.number().min(0).default(15).describe('seconds between faults'),
  pauseMs: z.coerce
    .number()
    .int()
    .min(100)
    .default(3000)
    .describe('how long Postgres is frozen, ms'),
  repeatFaults: z
    .boolean()
    .default(true)
    .describe('go round the faults again while orders are submitted'),
  faults: z
    .string()
    .default(FAULT_KINDS.join(','))
    .describe(`faults to inject, in order: ${FAULT_KINDS.join(',')}`),
  drainQuiet: z.coerce
    .number()
    .positive()
    .default(90)
    .describe('stop waiting when no order has finished for this many seconds (one is stuck)'),
  settleTimeout: z.coerce
    .number()
    .positive()
    .default(300)
    .describe('seconds every order may take to finish'),
  webhookUsers: z.coerce
    .number()
    .int()
    .min(0)
    .default(5)
    .describe('customers who register a webhook (every event of their orders is checked)'),
  webhookTimeout: z.coerce
    .number()
    .positive()
    .default(180)
    .describe('seconds for every webhook to arrive'),
};

async function main(): Promise<number> {
  const argv = process.argv
    .slice(2)
    .map((a) => (a === '--no-repeat-faults' ? '--repeat-faults=false' : a));
  const options = parseOptions('chaos', shape, argv);
  const kinds = options.faults.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown fault(s): ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}`,
    );
  const appEnv = { ...CHAOS_APP_ENV, ...envPairs(options.appEnv) };
  const startedAt = new Date().toISOString();
  const stack = await bringUp({
    appEnv,
    keepApps: options.keepApps,
    isolated: options.isolated,
    keepEngines: options.keepEngines,
  });
  const config = stack.settings.config;
  const db = createDb(config);
  const abort = new AbortController();
  process.once('SIGINT', () => {
    console.log('\ninterrupted: no new orders; waiting for those in flight (Ctrl-C again to quit)');
    abort.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  try {
    const outcome = await runChaos(
      {
        ctx: {
          config,
          db,
          apiUrl: stack.apiUrl,
          gatewayUrl: stack.gatewayUrl,
          // A Kafka restart takes tens of seconds on this machine: clients keep retrying.
          retryForMs: 120_000,
          signal: abort.signal,
        },
        config,
        target: stack,
        pidDirs: [{ dir: stack.settings.paths.pids }],
        // No worker metrics: the worker is killed mid-run, which resets its counters.
        taskQueue: stack.taskQueue,
        log: (line) => console.log(line),
      },
      { ...options, duration: options.maxDuration },
      {
        orders: options.orders,
        maxDuration: options.maxDuration,
        firstFaultAfter: options.firstFaultAfter,
        faultInterval: options.faultInterval,
        pauseMs: options.pauseMs,
        repeatFaults: options.repeatFaults,
        kinds: kinds as (typeof FAULT_KINDS)[number][],
        settleTimeout: options.settleTimeout,
        webhookTimeout: options.webhookTimeout,
        webhookUsers: options.webhookUsers,
      },
    );
    const { measured, faults, invariants } = outcome;
    const load = loadFigures(measured.run, options.warmup);
    printLoad(load);
    printKafka(measured.kafkaEventsPerTopic);
    printProcesses(measured.processes);
    console.log('\n── faults');
    for (const f of faults) {
      console.log(
        `  ${f.ok ? '✓' : '✗'} ${f.kind.padEnd(16)} at ${f.at.toFixed(0)}s  ${f.ok ? `back after ${(f.recoveryMs / 1000).toFixed(1)}s` : f.error}`,
      );
    }
    printInvariants(invariants, (line) => console.log(line));
    const result: BenchResult = {
      kind: 'chaos',
      runId: outcome.runId,
      label: options.label,
      startedAt,
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => round(l, 2)) },
      options: { ...options },
      appEnv: { ...BENCH_APP_ENV, TEMPORAL_TASK_QUEUE: stack.taskQueue, ...appEnv },
      load,
      kafkaEventsPerTopic: measured.kafkaEventsPerTopic,
      worker: measured.worker,
      processes: measured.processes,
      faults,
      invariants,
    };
    console.log(`\nresults: ${writeResult(result, options.out)}`);
    const failed = invariants.filter((i) => !i.ok).length + faults.filter((f) => !f.ok).length;
    console.log(failed === 0 ? '\nchaos: every invariant holds' : `\nchaos: ${failed} failure(s)`);
    return failed === 0 ? 0 : 1;
  } finally {
    await db.destroy();
    await stack.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(err.message);
    else console.error('chaos failed:', err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
