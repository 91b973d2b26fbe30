/**
 * Worker settings for the bench's own workers (the ceiling worker and the tuning variant of
 * the order worker): the order worker's settings, as src/worker/order-worker.ts sets them
 * from config, plus the experimental knobs below, read from BENCH_WORKER_* variables so an
 * experiment is one `--app-env` away and the ceiling always runs with exactly the settings
 * the saga's worker had in the same run.
 *
 *   BENCH_WORKER_REUSE_V8_CONTEXT   true|false
 *   BENCH_WORKER_WF_POLLS           maxConcurrentWorkflowTaskPolls
 *   BENCH_WORKER_ACTIVITY_POLLS     maxConcurrentActivityTaskPolls
 *   BENCH_WORKER_STICKY_RATIO       nonStickyToStickyPollRatio
 *   BENCH_WORKER_AUTOSCALE_POLLERS  true: autoscaling pollers for both task types
 *   BENCH_WORKER_THREADS            workflowThreadPoolSize
 */
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from '../../../src/config';

export type TunableOptions = Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'reuseV8Context'
  | 'maxConcurrentWorkflowTaskPolls'
  | 'maxConcurrentActivityTaskPolls'
  | 'nonStickyToStickyPollRatio'
  | 'workflowTaskPollerBehavior'
  | 'activityTaskPollerBehavior'
  | 'workflowThreadPoolSize'
>;

type WorkerConfig = Pick<
  Config,
  | 'WORKER_MAX_CACHED_WORKFLOWS'
  | 'WORKER_MAX_CONCURRENT_ACTIVITIES'
  | 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'
>;

export function workerOptions(
  config: WorkerConfig,
  env: NodeJS.ProcessEnv = process.env,
): TunableOptions {
  const int = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got ${raw}`);
    return value;
  };
  const options: TunableOptions = {
    // What createOrderWorker sets today.
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    reuseV8Context: env.BENCH_WORKER_REUSE_V8_CONTEXT !== 'false',
  };
  const wfPolls = int('BENCH_WORKER_WF_POLLS');
  const activityPolls = int('BENCH_WORKER_ACTIVITY_POLLS');
  const ratio = int('BENCH_WORKER_STICKY_RATIO');
  const threads = int('BENCH_WORKER_THREADS');
  if (env.BENCH_WORKER_AUTOSCALE_POLLERS === 'true') {
    options.workflowTaskPollerBehavior = { type: 'autoscaling', maximum: wfPolls ?? 100 };
    options.activityTaskPollerBehavior = { type: 'autoscaling', maximum: activityPolls ?? 100 };
  } else {
    if (wfPolls !== undefined) options.maxConcurrentWorkflowTaskPolls = wfPolls;
    if (activityPolls !== undefined) options.maxConcurrentActivityTaskPolls = activityPolls;
  }
  if (ratio !== undefined) options.nonStickyToStickyPollRatio = ratio;
  if (threads !== undefined) options.workflowThreadPoolSize = threads;
  return options;
}
