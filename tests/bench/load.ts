/**
 * `npm run bench`: the load generator. Brings the stack up with the bench's app settings
 * (lib/stack.ts), registers customers, opens their sockets, submits orders over HTTP for a
 * while, waits for every order's terminal status over the WebSocket, then prints and writes
 * (bench-results/) throughput, latencies, errors, lost messages, Kafka events and the CPU and
 * memory of every process. With --with-ceiling the ceiling (ceiling/run.ts) runs first, in
 * the same run, and the saga's figures are given as fractions of it.
 *
 *   npm run bench -- --duration 60                       as fast as 100 in flight allow
 *   npm run bench -- --rate 20 --duration 300            a fixed rate
 *   npm run bench -- --with-ceiling --label baseline     the ratio to Temporal's ceiling
 *   npm run bench -- --declines 5 --out-of-stock 2 --cancels 3
 *   npm run bench -- --app-env WORKER_MAX_CACHED_WORKFLOWS=500
 */
import os from 'node:os';
import { z } from 'zod';
import { createDb } from '../../db/client';
import { runCeiling } from './ceiling/run';
import { parseOptions, UsageError } from './lib/args';
import { prepareLoad } from './lib/load-run';
import { measureLoad } from './lib/measure';
import { envPairs, loadShape } from './lib/options';
import {
  printCeiling,
  printKafka,
  printLoad,
  printProcesses,
  printSaga,
  printWorker,
  writeResult,
} from './lib/report';
import { loadFigures, type BenchResult, type CeilingFigures } from './lib/results';
import { BENCH_APP_ENV, bringUp } from './lib/stack';
import { round } from './lib/stats';

const shape = {
  ...loadShape,
  withCeiling: z
    .boolean()
    .default(false)
    .describe('run the ceiling workflow first and report the saga as a fraction of it'),
};

async function main(): Promise<number> {
  const options = parseOptions('bench', shape, process.argv.slice(2));
  const appEnv = envPairs(options.appEnv);
  const startedAt = new Date().toISOString();
  const stack = await bringUp({
    appEnv,
    keepApps: options.keepApps,
    isolated: options.isolated,
    keepEngines: options.keepEngines,
    ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}),
  });
  const config = stack.settings.config;
  const db = createDb(config);
  const abort = new AbortController();
  process.once('SIGINT', () => {
    console.log('\ninterrupted: no new orders; waiting for those in flight (Ctrl-C again to quit)');
    abort.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const pidDirs = [{ dir: stack.settings.paths.pids }];
  try {
    let ceiling: CeilingFigures | undefined;
    if (options.withCeiling) {
      console.log('▸ ceiling run');
      ceiling = await runCeiling(
        // The ceiling's worker gets the apps' environment: same settings as the saga's worker.
        { config, env: stack.appEnv, pidDirs },
        options,
      );
      printCeiling(ceiling);
      printProcesses(ceiling.processes);
    }
    const ctx = {
      config,
      db,
      apiUrl: stack.apiUrl,
      gatewayUrl: stack.gatewayUrl,
      retryForMs: 30_000,
      signal: abort.signal,
    };
    const prepared = await prepareLoad(ctx, options);
    console.log(
      `▸ load: ${options.rate > 0 ? `${options.rate}/s` : 'max'} for ${options.duration}s, ` +
        `at most ${options.concurrency} in flight`,
    );
    const sdkPort = Number(appEnv.WORKER_SDK_METRICS_PORT ?? config.WORKER_SDK_METRICS_PORT);
    const appPort = Number(appEnv.WORKER_METRICS_PORT ?? config.WORKER_METRICS_PORT);
    const measured = await measureLoad(ctx, config, prepared, options, {
      pidDirs,
      ...(sdkPort > 0 ? { sdkMetricsUrl: `http://127.0.0.1:${sdkPort}/metrics` } : {}),
      ...(appPort > 0 ? { appMetricsUrl: `http://127.0.0.1:${appPort}/metrics` } : {}),
      taskQueue: stack.taskQueue,
    });
    const load = loadFigures(measured.run, options.warmup);
    const result: BenchResult = {
      kind: 'bench',
      runId: prepared.runId,
      label: options.label,
      startedAt,
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => round(l, 2)) },
      options: { ...options },
      appEnv: { ...BENCH_APP_ENV, TEMPORAL_TASK_QUEUE: stack.taskQueue, ...appEnv },
      load,
      kafkaEventsPerTopic: measured.kafkaEventsPerTopic,
      worker: measured.worker,
      saga: measured.saga,
      processes: measured.processes,
      ...(ceiling ? ratios(load, ceiling) : {}),
    };
    printLoad(load);
    printKafka(measured.kafkaEventsPerTopic);
    printWorker(measured.worker);
    printSaga(measured.saga);
    printProcesses(measured.processes);
    if (result.ceiling) {
      console.log(
        `── against the ceiling: throughput ${result.ratioToCeiling} of it; ` +
          `POST /orders p99 ${result.postP99OverStartP99}× the bare start p99`,
      );
    }
    console.log(`\nresults: ${writeResult(result, options.out)}`);
    return load.ws.lost > 0 || load.orders.unfinished > 0 ? 1 : 0;
  } finally {
    await db.destroy();
    await stack.close();
  }
}

function ratios(
  load: ReturnType<typeof loadFigures>,
  ceiling: CeilingFigures,
): Pick<BenchResult, 'ceiling' | 'ratioToCeiling' | 'postP99OverStartP99'> {
  return {
    ceiling,
    ratioToCeiling:
      ceiling.workflowsPerSecond > 0
        ? round(load.throughput.completedPerSecond / ceiling.workflowsPerSecond, 3)
        : 0,
    postP99OverStartP99:
      ceiling.startLatencyMs.p99 > 0
        ? round(load.latencyMs.postOrders.p99 / ceiling.startLatencyMs.p99, 2)
        : 0,
  };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(err.message);
    else console.error('bench failed:', err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
