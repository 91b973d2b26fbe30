/**
 * The webhook dispatcher's Temporal half: a worker on the webhook task queue running the
 * delivery workflow (workflows/webhook-delivery.ts) and its activities, built from injected
 * dependencies.
 */
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createWebhookActivities, type WebhookActivityDeps } from '../../activities/webhooks';

export const WEBHOOK_WORKFLOWS_PATH = fileURLToPath(
  new URL('../../workflows/webhook-delivery.ts', import.meta.url),
);

export interface WebhookWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: WebhookActivityDeps;
  maxConcurrentActivities?: number;
  /** A pre-built bundle (bundleWorkflowCode) skips webpack at start-up. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createWebhookWorker(options: WebhookWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WEBHOOK_WORKFLOWS_PATH }),
    activities: createWebhookActivities(options.deps),
    ...(options.maxConcurrentActivities
      ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities }
      : {}),
  });
}
