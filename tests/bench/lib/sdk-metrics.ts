/**
 * The worker's own view of Temporal, from the SDK's Prometheus endpoint (src/worker/runtime.ts,
 * WORKER_SDK_METRICS_PORT): scraped before and after a run, and the difference turned into
 * the figures the targets name: workflow-task and activity schedule-to-start latency (how long
 * a task waited for a worker slot: the backlog), failed workflow tasks, sticky cache misses.
 *
 * Percentiles come from histogram buckets (milliseconds), interpolated linearly inside the
 * bucket, so they are as fine as the SDK's bucket edges and no finer.
 */
import { round } from './stats';

type Labels = Record<string, string>;
interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

export type Scrape = Sample[];

export async function scrape(url: string): Promise<Scrape | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) return undefined;
    return parse(await response.text());
  } catch {
    return undefined;
  }
}

function parse(text: string): Scrape {
  const samples: Scrape = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Labels = {};
    for (const l of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

const matches = (labels: Labels, filter: Labels): boolean =>
  Object.entries(filter).every(([k, v]) => labels[k] === v);

function sum(scrape: Scrape, name: string, filter: Labels, extra?: (l: Labels) => boolean): number {
  return scrape
    .filter((s) => s.name === name && matches(s.labels, filter) && (extra?.(s.labels) ?? true))
    .reduce((n, s) => n + s.value, 0);
}

export interface HistogramFigures {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Quantiles of what a histogram recorded between two scrapes. */
export function histogramDelta(
  before: Scrape,
  after: Scrape,
  name: string,
  filter: Labels,
): HistogramFigures | null {
  const edges = [
    ...new Set(
      after
        .filter((s) => s.name === `${name}_bucket` && matches(s.labels, filter))
        .map((s) => s.labels.le!),
    ),
  ]
    .map((le) => (le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le)))
    .sort((a, b) => a - b);
  if (edges.length === 0) return null;
  const cumulative = edges.map((edge) => {
    const le = edge === Number.POSITIVE_INFINITY ? '+Inf' : String(edge);
    const pick = (l: Labels): boolean => l.le === le;
    return sum(after, `${name}_bucket`, filter, pick) - sum(before, `${name}_bucket`, filter, pick);
  });
  const count = cumulative.at(-1) ?? 0;
  if (count <= 0) return { count: 0, p50: 0, p95: 0, p99: 0 };
  const quantile = (q: number): number => {
    const target = q * count;
    for (let i = 0; i < edges.length; i++) {
      if (cumulative[i]! >= target) {
        const lower = i === 0 ? 0 : edges[i - 1]!;
        const upper = edges[i]!;
        if (!Number.isFinite(upper)) return lower;
        const below = i === 0 ? 0 : cumulative[i - 1]!;
        const inBucket = cumulative[i]! - below;
        return lower + (inBucket > 0 ? ((target - below) / inBucket) * (upper - lower) : 0);
      }
    }
    return edges.at(-2) ?? 0;
  };
  return {
    count,
    p50: round(quantile(0.5)),
    p95: round(quantile(0.95)),
    p99: round(quantile(0.99)),
  };
}

export function counterDelta(before: Scrape, after: Scrape, name: string, filter: Labels): number {
  return sum(after, name, filter) - sum(before, name, filter);
}

export interface WorkerFigures {
  workflowTaskScheduleToStartMs: HistogramFigures | null;
  activityScheduleToStartMs: HistogramFigures | null;
  workflowTaskExecutionMs: HistogramFigures | null;
  activityExecutionMs: HistogramFigures | null;
  workflowTasksFailed: number;
  activitiesFailed: number;
  stickyCacheMisses: number;
  stickyCacheSize: number | null;
}

export function workerFigures(before: Scrape, after: Scrape, taskQueue: string): WorkerFigures {
  const q = { task_queue: taskQueue };
  const gauge = after.find((s) => s.name === 'temporal_sticky_cache_size');
  return {
    workflowTaskScheduleToStartMs: histogramDelta(
      before,
      after,
      'temporal_workflow_task_schedule_to_start_latency',
      q,
    ),
    activityScheduleToStartMs: histogramDelta(
      before,
      after,
      'temporal_activity_schedule_to_start_latency',
      q,
    ),
    workflowTaskExecutionMs: histogramDelta(
      before,
      after,
      'temporal_workflow_task_execution_latency',
      q,
    ),
    activityExecutionMs: histogramDelta(before, after, 'temporal_activity_execution_latency', q),
    workflowTasksFailed: counterDelta(before, after, 'temporal_workflow_task_execution_failed', q),
    activitiesFailed: counterDelta(before, after, 'temporal_activity_execution_failed', q),
    stickyCacheMisses: counterDelta(before, after, 'temporal_sticky_cache_miss', {}),
    stickyCacheSize: gauge ? gauge.value : null,
  };
}

export interface SagaFigures {
  /** One order event produced to Kafka (acks=all), ms. */
  kafkaProduceMs: HistogramFigures | null;
  /** Each activity attempt, by step, ms. */
  stepMs: Record<string, HistogramFigures>;
}

/** The worker's own saga metrics (WORKER_METRICS_PORT, activities/metrics.ts), in ms. */
export function sagaFigures(before: Scrape, after: Scrape): SagaFigures {
  const ms = (h: HistogramFigures | null): HistogramFigures | null =>
    h && {
      count: h.count,
      p50: round(h.p50 * 1000),
      p95: round(h.p95 * 1000),
      p99: round(h.p99 * 1000),
    };
  const steps = [
    ...new Set(
      after
        .filter((s) => s.name === 'saga_step_duration_seconds_bucket')
        .map((s) => s.labels.step ?? ''),
    ),
  ].filter(Boolean);
  const stepMs: Record<string, HistogramFigures> = {};
  for (const step of steps.sort()) {
    const h = ms(histogramDelta(before, after, 'saga_step_duration_seconds', { step }));
    if (h && h.count > 0) stepMs[step] = h;
  }
  return {
    kafkaProduceMs: ms(histogramDelta(before, after, 'kafka_produce_duration_seconds', {})),
    stepMs,
  };
}
