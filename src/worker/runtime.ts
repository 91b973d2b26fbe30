/**
 * The Temporal SDK runtime of the worker process: its own metrics (task schedule-to-start
 * latencies, poll counts, cache size...) exported for Prometheus, and its logs forwarded at
 * warn level. Must run before the first connection is made.
 */
import { Runtime } from '@temporalio/worker';
import type { Config } from '../config';

export function installTemporalRuntime(config: Pick<Config, 'WORKER_SDK_METRICS_PORT'>): void {
  if (config.WORKER_SDK_METRICS_PORT === 0) return;
  Runtime.install({
    telemetryOptions: {
      metrics: { prometheus: { bindAddress: `0.0.0.0:${config.WORKER_SDK_METRICS_PORT}` } },
      logging: { filter: { core: 'WARN', other: 'WARN' } },
    },
  });
}
