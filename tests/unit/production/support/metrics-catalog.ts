/**
 * Every metric name a dashboard or an alert may query: what the processes' own metric
 * factories register (instantiated here on throwaway registries, so a renamed metric shows
 * up at once), what the Temporal SDK and Prometheus itself provide, and the names found in
 * a PromQL expression.
 */
import type { Db } from '../../../../db/client';
import { createSagaMetrics } from '../../../../activities/metrics';
import { httpMetrics } from '../../../../api/middleware/metrics';
import { createGatewayMetrics } from '../../../../gateway/metrics';
import { createMetricsRegistry } from '../../../../src/metrics';
import { createStrandedOrderMetrics } from '../../../../src/worker/stranded-orders';
import {
  registerOrderBacklogGauges,
  registerWebhookBacklogGauges,
} from '../../../../src/observability/backlog-gauges';

/**
 * The Temporal SDK's own metrics (Core's Prometheus exporter on WORKER_SDK_METRICS_PORT):
 * counters without a _total suffix, histograms in milliseconds.
 */
export const TEMPORAL_SDK_METRICS = [
  'temporal_activity_schedule_to_start_latency',
  'temporal_workflow_task_schedule_to_start_latency',
  'temporal_activity_execution_latency',
  'temporal_activity_execution_failed',
  'temporal_workflow_completed',
  'temporal_workflow_failed',
  'temporal_worker_task_slots_available',
  'temporal_sticky_cache_size',
] as const;

/** Series Prometheus adds to every target. */
export const PROMETHEUS_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'];

export interface Catalog {
  names: Set<string>;
  histograms: Set<string>;
}

/** The names registered by each process's metric factories. */
export function metricCatalog(): Catalog {
  const registry = createMetricsRegistry('catalog');
  httpMetrics(registry);
  createGatewayMetrics(registry, () => 0);
  createSagaMetrics(registry);
  createStrandedOrderMetrics(registry);
  // The gauges only query at collection time; registering them needs no database.
  registerOrderBacklogGauges(registry, {} as Db);
  registerWebhookBacklogGauges(registry, {} as Db);
  const metrics = registry.getMetricsAsArray();
  const names = new Set<string>([
    ...metrics.map((m) => m.name),
    ...TEMPORAL_SDK_METRICS,
    ...PROMETHEUS_SERIES,
  ]);
  const histograms = new Set<string>([
    ...metrics.filter((m) => m.constructor.name === 'Histogram').map((m) => m.name),
    'temporal_activity_schedule_to_start_latency',
    'temporal_workflow_task_schedule_to_start_latency',
    'temporal_activity_execution_latency',
  ]);
  return { names, histograms };
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression selects. */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\b\d+(\.\d+)?([eE][+-]?\d+)?\b/g, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const token = match[0];
    const after = stripped.slice(match.index + token.length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(token.toLowerCase())) continue;
    names.push(token);
  }
  return [...new Set(names)];
}

/** True when `name` (a series name, histogram suffixes allowed) is in the catalog. */
export function isKnownMetric(catalog: Catalog, name: string): boolean {
  if (catalog.names.has(name)) return true;
  const base = name.replace(/_(bucket|count|sum)$/, '');
  return base !== name && catalog.histograms.has(base);
}
