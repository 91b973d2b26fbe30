/**
 * Prometheus metrics for any process: one registry per process, the default Node metrics
 * (CPU, memory, event-loop lag, GC) on it, every series labelled with the service name.
 * Callers add their own metrics to the registry and expose `registry.metrics()`.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface MetricsOptions {
  /** Collect the default Node process metrics (default true). */
  defaultMetrics?: boolean;
  /** Prefix of the default metrics' names, e.g. "orders_" (default none). */
  prefix?: string;
}

export function createMetricsRegistry(serviceName: string, options: MetricsOptions = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({
      register: registry,
      ...(options.prefix ? { prefix: options.prefix } : {}),
    });
  }
  return registry;
}

export type { Registry };
