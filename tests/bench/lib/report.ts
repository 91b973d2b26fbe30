/**
 * Prints a run's figures for a person and writes them for a machine (bench-results/, which
 * git ignores): one JSON file per run, named by kind, time and label, so runs before and
 * after a tuning change sit side by side.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../src/stack/paths';
import type { ProcessReport } from './proc-stats';
import type { BenchResult, CeilingFigures, LoadFigures } from './results';
import type { SagaFigures, WorkerFigures } from './sdk-metrics';
import { formatSummary } from './stats';

export function writeResult(result: BenchResult, outDir: string): string {
  const dir = path.resolve(REPO_ROOT, outDir);
  mkdirSync(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const file = path.join(
    dir,
    `${result.kind}-${stamp}${result.label ? `-${result.label}` : ''}.json`,
  );
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function printLoad(f: LoadFigures): void {
  const o = f.orders;
  console.log('\n── orders');
  console.log(
    `  submitted ${o.submitted}  accepted (202) ${o.accepted}  not accepted ${o.notAccepted}  POST retried ${o.postRetried}`,
  );
  console.log(`  by kind   ${entries(o.byKind)}`);
  console.log(`  outcomes  ${entries(o.outcomes)}  unfinished ${o.unfinished}`);
  if (Object.keys(o.unexpectedOutcomes).length > 0)
    console.log(`  unexpected outcomes ${entries(o.unexpectedOutcomes)}`);
  console.log('── throughput');
  console.log(
    `  ${f.throughput.completedPerSecond} completed orders/s (${f.throughput.completedInWindow} in a ${f.throughput.windowSeconds}s steady window)` +
      `  submitted ${f.throughput.submittedPerSecond}/s  deferred ${f.throughput.deferred}`,
  );
  console.log('── latency');
  console.log(`  POST /orders        ${formatSummary(f.latencyMs.postOrders)}`);
  console.log(`  end to end (WS)     ${formatSummary(f.latencyMs.endToEnd)}`);
  console.log(`  saga (Postgres)     ${formatSummary(f.latencyMs.saga)}`);
  console.log(`  Redis → WS, all     ${formatSummary(f.latencyMs.redisToWs)}`);
  console.log(`  Redis → WS, final   ${formatSummary(f.latencyMs.redisToWsTerminal)}`);
  console.log('── HTTP errors');
  console.log(`  ${f.http.errorCount === 0 ? 'none' : entries(f.http.errors)}`);
  console.log('── WebSocket');
  console.log(
    `  messages ${f.ws.messages}  lost ${f.ws.lost} (in ${f.ws.ordersWithLoss} orders)  extra ${f.ws.extra}` +
      `  duplicates ${f.ws.duplicates}  terminal not received ${f.ws.terminalMissing}  reconnects ${f.ws.reconnects}`,
  );
  if (Object.keys(f.ws.events).length > 0) console.log(`  ${entries(f.ws.events)}`);
}

export function printKafka(deltas: Record<string, number>): void {
  const total = Object.values(deltas).reduce((a, b) => a + b, 0);
  console.log(`── Kafka events produced (offset deltas, all producers): ${total}`);
  console.log(`  ${entries(deltas)}`);
}

export function printWorker(w: WorkerFigures | null, title = 'worker (SDK metrics)'): void {
  console.log(`── ${title}`);
  if (!w) {
    console.log('  not available (WORKER_SDK_METRICS_PORT=0 or not reachable)');
    return;
  }
  const h = (x: { p50: number; p95: number; p99: number; count: number } | null): string =>
    x ? `p50 ${x.p50}  p95 ${x.p95}  p99 ${x.p99} ms (n=${x.count})` : 'n/a';
  console.log(`  workflow task schedule-to-start  ${h(w.workflowTaskScheduleToStartMs)}`);
  console.log(`  activity schedule-to-start       ${h(w.activityScheduleToStartMs)}`);
  console.log(`  workflow task execution          ${h(w.workflowTaskExecutionMs)}`);
  console.log(`  activity execution               ${h(w.activityExecutionMs)}`);
  console.log(
    `  failed workflow tasks ${w.workflowTasksFailed}  failed activities ${w.activitiesFailed}` +
      `  sticky cache misses ${w.stickyCacheMisses}  cache size ${w.stickyCacheSize ?? 'n/a'}`,
  );
}

export function printProcesses(p: ProcessReport): void {
  console.log(
    '── processes (CPU: % of one core on average, and ms per finished order; memory MB: first / max / last)',
  );
  for (const [name, f] of Object.entries(p)) {
    console.log(
      `  ${name.padEnd(18)} cpu ${String(f.cpuPercent).padStart(5)}%  ${String(f.cpuMsPerOrder ?? '-').padStart(6)} ms/order` +
        `  rss ${f.rssMb.first} / ${f.rssMb.max} / ${f.rssMb.last}` +
        `  tree pss ${f.treePssMb.first} / ${f.treePssMb.max} / ${f.treePssMb.last}` +
        (f.rssDriftPercent !== null ? `  rss drift ${f.rssDriftPercent}%` : '') +
        (f.restarts > 0 ? `  restarts ${f.restarts}` : ''),
    );
  }
}

export function printCeiling(c: CeilingFigures): void {
  console.log('\n── ceiling: no-op workflow of the saga’s shape, same server and worker settings');
  console.log(
    `  ${c.workflowsPerSecond} workflows/s (${c.completedInWindow} completed in a ${c.windowSeconds}s steady window; ${c.started} started, ${c.completed} completed, ${c.abandoned} abandoned)`,
  );
  console.log(`  StartWorkflowExecution  ${formatSummary(c.startLatencyMs)}`);
  console.log(`  start → completion      ${formatSummary(c.workflowLatencyMs)}`);
  printWorker(c.worker, 'ceiling worker (SDK metrics)');
}

function entries(record: Record<string, number>): string {
  return Object.entries(record)
    .map(([k, v]) => `${k} ${v}`)
    .join('  ');
}

export function printSaga(s: SagaFigures | null | undefined): void {
  if (!s) return;
  console.log('── saga steps (worker metrics, per attempt, ms)');
  const k = s.kafkaProduceMs;
  if (k)
    console.log(
      `  Kafka produce (acks=all)  p50 ${k.p50}  p95 ${k.p95}  p99 ${k.p99} (n=${k.count})`,
    );
  for (const [step, h] of Object.entries(s.stepMs))
    console.log(`  ${step.padEnd(24)}  p50 ${h.p50}  p95 ${h.p95}  p99 ${h.p99} (n=${h.count})`);
}
