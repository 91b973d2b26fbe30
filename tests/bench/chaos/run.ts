/**
 * A chaos run, the same for `npm run chaos` and the short vitest version: the load generator
 * runs while faults are injected on a schedule; submitting goes on until both the requested
 * number of orders is in and every kind of fault has happened once (bounded by maxDuration).
 * Then every order is waited for, and the invariants are checked and returned.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../../src/config';
import { TERMINAL_STATUSES } from '../../../src/contract/orders';
import { readRunEvents } from '../lib/kafka-events';
import { endOffsets } from '../lib/kafka-offsets';
import { prepareLoad, type LoadContext } from '../lib/load-run';
import { measureLoad, type Measured } from '../lib/measure';
import type { LoadOptions } from '../lib/options';
import { ordersOfUsers, readOrderFacts, statusesOf } from '../lib/postgres-facts';
import {
  FAULT_KINDS,
  runSchedule,
  type FaultKind,
  type FaultRecord,
  type FaultTarget,
} from './faults';
import { checkInvariants, type Invariant } from './invariants';
import { StockWatch } from './stock-watch';
import {
  checkWebhookDeliveries,
  registerWebhooks,
  removeWebhooks,
  WebhookReceiver,
  type WebhookSetup,
} from './webhooks';

export interface ChaosSettings {
  /** Orders to submit at least; submitting continues until every fault has happened once. */
  orders: number;
  /** Hard bound on the submitting phase, seconds. */
  maxDuration: number;
  firstFaultAfter: number;
  faultInterval: number;
  pauseMs: number;
  repeatFaults: boolean;
  kinds: readonly FaultKind[];
  /** After submitting: how long every order may take to finish, seconds. */
  settleTimeout: number;
  webhookTimeout: number;
  /**
   * Customers who register a webhook: every event of their orders is checked. A few suffice;
   * one delivery workflow per event is heavy on this machine's Temporal.
   */
  webhookUsers: number;
}

export interface ChaosEnvironment {
  ctx: LoadContext;
  config: Config;
  target: FaultTarget;
  pidDirs: readonly { dir: string; prefix?: string }[];
  sdkMetricsUrl?: string;
  taskQueue: string;
  /** Why webhooks cannot be checked in this environment, if they cannot. */
  webhooksUnavailable?: string;
  log: (line: string) => void;
}

export interface ChaosOutcome {
  measured: Measured;
  faults: FaultRecord[];
  invariants: Invariant[];
  runId: string;
}

export const DEFAULT_KINDS: readonly FaultKind[] = FAULT_KINDS;

export async function runChaos(
  env: ChaosEnvironment,
  load: LoadOptions,
  chaos: ChaosSettings,
): Promise<ChaosOutcome> {
  const { ctx } = env;
  const startedAt = Date.now();
  const log = (line: string): void =>
    env.log(
      line.startsWith('▸') ? `${line}  [${((Date.now() - startedAt) / 1000).toFixed(0)}s]` : line,
    );
  const prepared = await prepareLoad(ctx, load);
  log(`▸ ${prepared.users.length} customers registered, their sockets open`);
  const receiver = new WebhookReceiver();
  const receiverUrl = await receiver.start();
  let setup: WebhookSetup = { enabled: false, note: 'not registered' };
  try {
    const hooked = prepared.users.slice(0, chaos.webhookUsers);
    setup = await registerWebhooks(
      prepared.api,
      hooked,
      receiverUrl,
      env.webhooksUnavailable ??
        (hooked.length === 0 ? 'no customer registers a webhook (webhook users 0)' : undefined),
    );
    log(
      setup.enabled
        ? `▸ ${setup.registered} webhooks registered to ${receiverUrl}`
        : `▸ webhooks not checked: ${setup.note}`,
    );
    const stock = new StockWatch(
      ctx.db,
      prepared.catalogue.all.map((p) => p.productId),
    );
    stock.start();

    // Submitting stops once enough orders are in and the first round of faults is over, or
    // at maxDuration, or on Ctrl-C; whichever comes first also ends the fault schedule.
    const stop = new AbortController();
    const submitUntil = Date.now() + chaos.maxDuration * 1000;
    let firstRoundDone = false;
    let currentFault: FaultKind | undefined;
    const submittedEnough = setInterval(() => {
      if (stop.signal.aborted) return;
      const enough = firstRoundDone && prepared.tracker.records.length >= chaos.orders;
      if (!enough && Date.now() < submitUntil && !ctx.signal?.aborted) return;
      stop.abort();
      log(
        `▸ submitting stopped at ${prepared.tracker.records.length} orders; waiting for them to finish`,
      );
    }, 250);
    const stopped = new Promise<void>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve()),
    );
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, stop.signal]) : stop.signal;
    let faults: FaultRecord[] = [];
    const measured = await measureLoad(
      { ...ctx, signal, note: () => (currentFault ? `⚡ ${currentFault}` : '') },
      env.config,
      prepared,
      { ...load, orders: 0, duration: chaos.maxDuration, drainTimeout: chaos.settleTimeout },
      {
        pidDirs: env.pidDirs,
        taskQueue: env.taskQueue,
        label: 'chaos',
        ...(env.sdkMetricsUrl ? { sdkMetricsUrl: env.sdkMetricsUrl } : {}),
        alongside: async (loadDone) => {
          faults = await runSchedule(
            env.target,
            {
              kinds: chaos.kinds,
              firstAfterMs: chaos.firstFaultAfter * 1000,
              intervalMs: chaos.faultInterval * 1000,
              pauseMs: chaos.pauseMs,
              repeat: chaos.repeatFaults,
              onFault: (kind) => (currentFault = kind),
              log,
            },
            // The load may also end by itself (its own bound): the schedule ends with it.
            Promise.race([stopped, loadDone]),
            () => (firstRoundDone = true),
          );
          // Nothing left to wait for on the fault side: submitting may stop when enough are in.
          firstRoundDone = true;
        },
      },
    ).finally(() => clearInterval(submittedEnough));
    log(
      `▸ ${measured.run.tracker.completed} orders finished over the sockets; checking the invariants`,
    );

    // Orders whose 202 was lost still count for money and stock: take every order of the run's customers.
    const userIds = prepared.users.map((u) => u.userId);
    const allIds = [
      ...new Set([
        ...measured.run.tracker.acceptedRecords().map((r) => r.orderId),
        ...(await ordersOfUsers(ctx.db, userIds)),
      ]),
    ];
    await waitAllTerminal(ctx, allIds, chaos.settleTimeout * 1000, load.drainQuiet * 1000);
    await stock.stop();
    const allFacts = await readOrderFacts(ctx.db, allIds);
    log(`▸ ${allFacts.size} orders read back from Postgres`);
    const kafka = await readRunEvents(
      env.config,
      measured.offsetsBefore,
      await endOffsets(env.config),
      new Set(allIds),
    );
    log(`▸ their events read back from Kafka`);
    const hookedIds = new Set(hooked.map((u) => u.userId));
    const expected = new Map<string, string>();
    for (const f of allFacts.values()) {
      if (!hookedIds.has(f.userId)) continue;
      for (const id of f.topicEventIds) expected.set(id, f.userId);
    }
    const outcome = setup.enabled
      ? await checkWebhookDeliveries(receiver, expected, chaos.webhookTimeout * 1000)
      : undefined;
    if (outcome)
      log(
        `▸ webhooks: ${outcome.expected - outcome.missing} of ${outcome.expected} events arrived`,
      );
    const invariants = await checkInvariants({
      db: ctx.db,
      run: measured.run,
      allFacts,
      catalogue: prepared.catalogue,
      kafka,
      stock,
      webhooks: { setup, ...(outcome ? { outcome } : {}) },
    });
    return { measured, faults, invariants, runId: prepared.runId };
  } finally {
    await removeWebhooks(prepared.api, setup);
    await receiver.close();
  }
}

/**
 * Polls Postgres until every order is terminal, or the time is up, or nothing has moved for
 * `quietMs` (what is left is stuck: the invariant will name it).
 */
async function waitAllTerminal(
  ctx: LoadContext,
  orderIds: readonly string[],
  timeoutMs: number,
  quietMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let lastChange = Date.now();
  for (;;) {
    const statuses = await statusesOf(ctx.db, orderIds);
    const open = [...statuses].filter(
      ([, s]) => !(TERMINAL_STATUSES as readonly string[]).includes(s),
    );
    if (open.length === 0 || Date.now() > deadline) return;
    const now = open.map(([id, s]) => `${id}:${s}`).join();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > quietMs) return;
    await sleep(2000);
  }
}

export function printInvariants(
  invariants: readonly Invariant[],
  log: (line: string) => void,
): void {
  log('\n── invariants');
  for (const i of invariants)
    log(`  ${i.ok ? '✓' : '✗'} ${i.name}: ${i.ok ? '' : 'FAILED, '}${i.detail}`);
}
