/**
 * The measured part of a load run, shared by the bench and the chaos run: Kafka offsets and
 * the worker's SDK metrics read on both sides of the load, the processes sampled during it.
 */
import type { Config } from '../../../src/config';
import { endOffsets, offsetDeltas, type TopicOffsets } from './kafka-offsets';
import {
  driveLoad,
  finishLoad,
  type FinishedLoad,
  type LoadContext,
  type PreparedLoad,
} from './load-run';
import type { LoadOptions } from './options';
import { ProcSampler, type ProcessReport } from './proc-stats';
import {
  sagaFigures,
  scrape,
  workerFigures,
  type SagaFigures,
  type WorkerFigures,
} from './sdk-metrics';

export interface Measured {
  run: FinishedLoad;
  offsetsBefore: TopicOffsets;
  offsetsAfter: TopicOffsets;
  kafkaEventsPerTopic: Record<string, number>;
  worker: WorkerFigures | null;
  saga: SagaFigures | null;
  processes: ProcessReport;
}

export interface MeasureOptions {
  pidDirs: readonly { dir: string; prefix?: string }[];
  /** The worker's SDK metrics endpoint, if it has one. */
  sdkMetricsUrl?: string;
  /** The worker's own metrics endpoint (saga steps, Kafka produce), if it has one. */
  appMetricsUrl?: string;
  taskQueue: string;
  label?: string;
  /** Runs beside the load (the chaos run's faults); awaited before the figures are read. */
  alongside?: (loadDone: Promise<unknown>) => Promise<void>;
}

export async function measureLoad(
  ctx: LoadContext,
  config: Config,
  prepared: PreparedLoad,
  options: LoadOptions,
  measure: MeasureOptions,
): Promise<Measured> {
  const offsetsBefore = await endOffsets(config);
  const before = measure.sdkMetricsUrl ? await scrape(measure.sdkMetricsUrl) : undefined;
  const appBefore = measure.appMetricsUrl ? await scrape(measure.appMetricsUrl) : undefined;
  const sampler = new ProcSampler(measure.pidDirs);
  sampler.start();
  let processes: ProcessReport;
  let driven;
  try {
    const load = driveLoad(ctx, prepared, options, measure.label);
    const side = measure.alongside?.(load) ?? Promise.resolve();
    [driven] = await Promise.all([load, side]);
  } finally {
    processes = sampler.stop(prepared.tracker.completed);
  }
  const after = measure.sdkMetricsUrl ? await scrape(measure.sdkMetricsUrl) : undefined;
  const appAfter = measure.appMetricsUrl ? await scrape(measure.appMetricsUrl) : undefined;
  const offsetsAfter = await endOffsets(config);
  const run = await finishLoad(ctx, driven);
  return {
    run,
    offsetsBefore,
    offsetsAfter,
    kafkaEventsPerTopic: offsetDeltas(offsetsBefore, offsetsAfter),
    worker: before && after ? workerFigures(before, after, measure.taskQueue) : null,
    // A worker restarted during the run (chaos) resets its counters: no figures then.
    saga: appBefore && appAfter ? sagaFigures(appBefore, appAfter) : null,
    processes,
  };
}
