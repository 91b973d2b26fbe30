/**
 * Builds the order worker: the workflow bundle from workflows/, the activities from injected
 * dependencies, on task queue `orders`. The tuning knobs come from config (see README,
 * "Tuning the worker").
 */
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { TASK_QUEUE } from '../contract/orders';
import { createActivities, type ActivityDeps } from '../../activities';
import type { Config } from '../config';

export const ORDER_WORKFLOWS_PATH = fileURLToPath(
  new URL('../../workflows/index.ts', import.meta.url),
);

export interface OrderWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  config: Pick<
    Config,
    | 'WORKER_MAX_CACHED_WORKFLOWS'
    | 'WORKER_MAX_CONCURRENT_ACTIVITIES'
    | 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'
  >;
  taskQueue?: string;
  /** A pre-built bundle (bundleWorkflowCode) skips webpack at start-up. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createOrderWorker(options: OrderWorkerOptions): Promise<Worker> {
  const { config } = options;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: ORDER_WORKFLOWS_PATH }),
    activities: createActivities(options.deps),
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    reuseV8Context: true,
  });
}
