/**
 * Turns a finished load run into the figures the issue asks for, and the JSON written to
 * bench-results/. Every figure says where it comes from:
 *
 * - throughput: orders whose terminal status arrived over the socket inside the steady window
 *   (after the warm-up, before submitting stopped), per second;
 * - POST /orders: the attempt that got the 202, client-side;
 * - end to end: just before the POST → the terminal status read from the socket;
 * - saga: orders.created_at → the order_events row of the terminal status (both server-side);
 * - Redis → WebSocket hop: the Redis stream id's timestamp (Redis's clock at XADD, on this
 *   same machine) → the socket read;
 * - lost: per order, status events in Postgres that never came over the socket.
 */
import { TERMINAL_STATUSES } from '../../../src/contract/orders';
import type { FinishedLoad } from './load-run';
import { EXPECTED_OUTCOMES, ORDER_KINDS } from './order-mix';
import type { ProcessReport } from './proc-stats';
import type { SagaFigures, WorkerFigures } from './sdk-metrics';
import { round, Samples, type Summary } from './stats';

export interface LoadFigures {
  orders: {
    submitted: number;
    accepted: number;
    notAccepted: number;
    postRetried: number;
    byKind: Record<string, number>;
    /** Terminal statuses as Postgres has them. */
    outcomes: Record<string, number>;
    /** Accepted orders not terminal in Postgres when the run ended. */
    unfinished: number;
    /** Orders whose outcome is not one their kind allows (a normal order that failed...). */
    unexpectedOutcomes: Record<string, number>;
    /** Orders the socket reported that no 202 named (a POST answer lost in a fault). */
    unclaimedOnSocket: number;
  };
  throughput: {
    completedPerSecond: number;
    windowSeconds: number;
    completedInWindow: number;
    submittedPerSecond: number;
    deferred: number;
  };
  latencyMs: {
    postOrders: Summary;
    endToEnd: Summary;
    saga: Summary;
    redisToWs: Summary;
    redisToWsTerminal: Summary;
  };
  http: { errors: Record<string, number>; errorCount: number };
  ws: {
    messages: number;
    lost: number;
    ordersWithLoss: number;
    extra: number;
    duplicates: number;
    terminalMissing: number;
    reconnects: number;
    events: Record<string, number>;
  };
}

export function loadFigures(run: FinishedLoad, warmupSeconds: number): LoadFigures {
  const { tracker, facts, pace } = run;
  const accepted = tracker.acceptedRecords();
  const byKind: Record<string, number> = Object.fromEntries(ORDER_KINDS.map((k) => [k, 0]));
  for (const r of tracker.records) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;

  const outcomes: Record<string, number> = {};
  const unexpected: Record<string, number> = {};
  let unfinished = 0;
  const post = new Samples();
  const endToEnd = new Samples();
  const saga = new Samples();
  let lost = 0;
  let ordersWithLoss = 0;
  let extra = 0;
  let duplicates = 0;
  let terminalMissing = 0;
  for (const r of accepted) {
    if (r.postMs !== undefined) post.add(r.postMs);
    if (r.terminal) endToEnd.add(r.terminal.at - r.submittedAt);
    duplicates += r.duplicates;
    const f = facts.get(r.orderId);
    if (!f) {
      unfinished++;
      continue;
    }
    const terminal = (TERMINAL_STATUSES as readonly string[]).includes(f.status);
    if (!terminal) unfinished++;
    else {
      outcomes[f.status] = (outcomes[f.status] ?? 0) + 1;
      if (!EXPECTED_OUTCOMES[r.kind].includes(f.status)) {
        const key = `${r.kind}→${f.status}`;
        unexpected[key] = (unexpected[key] ?? 0) + 1;
      }
      if (!r.terminal) terminalMissing++;
    }
    if (f.terminalAt !== undefined) saga.add(f.terminalAt - f.createdAt);
    let missing = 0;
    // A change written after the sockets closed (an order the drain gave up on) is not lost.
    const cutoff = run.socketsClosedAt - 2000;
    for (const [id, at] of f.statusEventAt) if (at <= cutoff && !r.updates.has(id)) missing++;
    for (const id of r.updates.keys()) if (!f.statusEventIds.has(id)) extra++;
    lost += missing;
    if (missing > 0) ordersWithLoss++;
  }

  const windowStart = pace.startedAt + warmupSeconds * 1000;
  const steady = pace.submittedUntil - windowStart >= 1000;
  const from = steady ? windowStart : pace.startedAt;
  const to = steady ? pace.submittedUntil : pace.drainedAt;
  const inWindow = accepted.filter(
    (r) => r.terminal && r.terminal.at >= from && r.terminal.at <= to,
  ).length;
  const windowSeconds = Math.max(0.001, (to - from) / 1000);

  return {
    orders: {
      submitted: tracker.records.length,
      accepted: accepted.length,
      notAccepted: tracker.records.length - accepted.length,
      postRetried: tracker.records.filter((r) => r.postAttempts > 1).length,
      byKind,
      outcomes,
      unfinished,
      unexpectedOutcomes: unexpected,
      unclaimedOnSocket: tracker.unclaimedOrderIds().length,
    },
    throughput: {
      completedPerSecond: round(inWindow / windowSeconds, 1),
      windowSeconds: round(windowSeconds, 1),
      completedInWindow: inWindow,
      submittedPerSecond: round(
        pace.issued / Math.max(0.001, (pace.submittedUntil - pace.startedAt) / 1000),
        1,
      ),
      deferred: pace.deferred,
    },
    latencyMs: {
      postOrders: post.summary(),
      endToEnd: endToEnd.summary(),
      saga: saga.summary(),
      redisToWs: tracker.hop.summary(),
      redisToWsTerminal: tracker.hopTerminal.summary(),
    },
    http: { errors: run.api.errors.toJSON(), errorCount: run.api.errors.total },
    ws: {
      messages: tracker.updates,
      lost,
      ordersWithLoss,
      extra,
      duplicates,
      terminalMissing,
      reconnects: run.sockets.reduce((n, s) => n + s.reconnects, 0),
      events: run.wsEvents.toJSON(),
    },
  };
}

export interface CeilingFigures {
  workflowsPerSecond: number;
  windowSeconds: number;
  completedInWindow: number;
  started: number;
  completed: number;
  abandoned: number;
  startLatencyMs: Summary;
  workflowLatencyMs: Summary;
  worker: WorkerFigures | null;
  processes: ProcessReport;
}

export interface BenchResult {
  kind: 'bench' | 'chaos';
  runId: string;
  label: string;
  startedAt: string;
  machine: { cpus: number; loadAverage: number[] };
  options: Record<string, unknown>;
  appEnv: Record<string, string>;
  load: LoadFigures;
  kafkaEventsPerTopic: Record<string, number>;
  worker: WorkerFigures | null;
  saga?: SagaFigures | null;
  processes: ProcessReport;
  ceiling?: CeilingFigures;
  /** Saga throughput / ceiling throughput, both measured in this run. */
  ratioToCeiling?: number;
  /** POST /orders p99 / bare StartWorkflowExecution p99, both measured in this run. */
  postP99OverStartP99?: number;
  faults?: { kind: string; at: number; recoveryMs: number; ok: boolean; error?: string }[];
  invariants?: { name: string; ok: boolean; count: number; detail: string }[];
}
