/**
 * An order worker inside the test process, on a task queue of the test's own (the stack's
 * worker polls the shared one), with the Temporal client the test starts workflows through.
 */
import type { Client } from '@temporalio/client';
import type { ActivityDeps } from '../../activities';
import { connectTemporalClient, connectWorkerConnection } from '../../src/temporal/connection';
import { createOrderWorker } from '../../src/worker/order-worker';
import { config } from './services';

export interface InProcessWorker {
  client: Client;
  /** Lets in-flight tasks finish, then closes the worker's and the client's connections. */
  stop(): Promise<void>;
}

export async function startInProcessWorker(
  deps: ActivityDeps,
  taskQueue: string,
): Promise<InProcessWorker> {
  const client = await connectTemporalClient(config);
  const connection = await connectWorkerConnection(config);
  const worker = await createOrderWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    deps,
    config,
    taskQueue,
  });
  const running = worker.run();
  return {
    client,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
    },
  };
}
