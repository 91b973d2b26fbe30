/**
 * Fixtures for the webhook integration tests: a real HTTP receiver on 127.0.0.1, order events
 * built with the shared schemas, and a harness that runs the dispatcher (Kafka consumer) and
 * the delivery worker against the real Postgres, Kafka and Temporal.
 *
 * Isolation from a dispatcher the local stack may be running: each run has its own topics
 * (`wh-<run>-order_created`...), consumer group, task queue and encryption key; the consumer
 * code is the production one, only pointed at other topic names.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import {
  bundleWorkflowCode,
  type NativeConnection,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { createDb, type Db } from '../../../db/client';
import { loadConfig, type Config } from '../../../src/config';
import { orderEvent, type OrderEvent } from '../../../src/contract/events';
import { ALL_TOPICS, topicFor } from '../../../src/contract/topics';
import { createKafka } from '../../../src/kafka';
import { createLogger } from '../../../src/logger';
import { connectTemporalClient, connectWorkerConnection } from '../../../src/temporal/connection';
import { attemptSettingsFromConfig } from '../../../src/webhooks/attempt';
import {
  dispatchSettingsFromConfig,
  startDispatcher,
  type Dispatcher,
} from '../../../src/webhooks/dispatcher';
import { createSecretBox, parseSecretKey, type SecretBox } from '../../../src/webhooks/secret-box';
import { createWebhookService, type WebhookService } from '../../../src/webhooks/service';
import { createWebhookWorker, WEBHOOK_WORKFLOWS_PATH } from '../../../src/webhooks/worker';

// ---- receiver ------------------------------------------------------------------------------
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this long (a slow receiver). */
  delayMs?: number;
}

/** How a path answers its n-th request (0-based); 200 "ok" when none is set. */
export type Responder = (n: number, req: Received) => Reply;

export interface Receiver {
  url(path: string): string;
  received: Received[];
  on(path: string, responder: Responder): void;
  at(path: string): Received[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const responders = new Map<string, Responder>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const hit: Received = {
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      };
      const n = received.filter((r) => r.path === path).length;
      received.push(hit);
      const reply = responders.get(path)?.(n, hit) ?? { status: 200, body: 'ok' };
      setTimeout(
        () => res.writeHead(reply.status, reply.headers).end(reply.body ?? ''),
        reply.delayMs ?? 0,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    on: (path, responder) => void responders.set(path, responder),
    at: (path) => received.filter((r) => r.path === path),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// ---- events --------------------------------------------------------------------------------
/** The happy path of one order as Kafka carries it, in order, each event valid. */
export function orderLifecycle(userId: string, orderId = randomUUID()): OrderEvent[] {
  const base = Date.now();
  const at = (i: number) => new Date(base + i).toISOString();
  const common = (i: number) => ({
    event_id: randomUUID(),
    order_id: orderId,
    user_id: userId,
    occurred_at: at(i),
  });
  const events: OrderEvent[] = [
    {
      ...common(0),
      event_type: 'order.created',
      status: 'pending',
      items: [{ product_id: randomUUID(), quantity: 1, price: '10.00' }],
      total_amount: '10.00',
      shipping_address: {
        street: '1 Main St',
        city: 'Springfield',
        state: 'IL',
        zip: '62701',
        country: 'US',
      },
      payment_method: 'card',
      created_at: at(0),
    },
    {
      ...common(1),
      event_type: 'order.validated',
      status: 'validated',
      validation_result: { inventory_check: true, pricing_check: true, customer_check: true },
      validated_at: at(1),
    },
    {
      ...common(2),
      event_type: 'order.payment_processed',
      status: 'paid',
      payment_id: `pay_${orderId.slice(0, 8)}`,
      amount: '10.00',
      payment_method: 'card',
      processed_at: at(2),
    },
    {
      ...common(3),
      event_type: 'order.fulfilled',
      status: 'fulfilled',
      warehouse: 'WH-1',
      fulfilled_at: at(3),
    },
    {
      ...common(4),
      event_type: 'order.shipped',
      status: 'shipped',
      tracking_number: 'TRK123',
      carrier: 'SIM',
      estimated_delivery: at(4),
      shipped_at: at(4),
    },
    { ...common(5), event_type: 'order.delivered', status: 'delivered', delivered_at: at(5) },
  ];
  return events.map((e) => orderEvent.parse(e));
}

/** The order row (once) and the event's order_events row, as the order worker writes them. */
export async function recordInTimeline(db: Db, event: OrderEvent): Promise<void> {
  await db
    .insertInto('orders')
    .values({
      order_id: event.order_id,
      user_id: event.user_id,
      items: [{ product_id: randomUUID(), quantity: 1, price: '10.00' }],
      total_amount: '10.00',
      shipping_address: {
        street: '1 Main St',
        city: 'Springfield',
        state: 'IL',
        zip: '62701',
        country: 'US',
      },
      payment_method: 'card',
      metadata: {},
    })
    .onConflict((oc) => oc.column('order_id').doNothing())
    .execute();
  await db
    .insertInto('order_events')
    .values({
      event_id: event.event_id,
      order_id: event.order_id,
      event_type: event.event_type,
      event_data: { status: event.status },
      created_at: event.occurred_at,
      created_by: 'webhook-test',
    })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
}

// ---- harness -------------------------------------------------------------------------------
/** Settings that make a day of retries take a second. */
export const FAST_WEBHOOK_ENV = {
  LOG_LEVEL: 'warn',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_RETRY_INITIAL_MS: '100',
  WEBHOOK_RETRY_BACKOFF: '2',
  WEBHOOK_RETRY_MAX_INTERVAL_MS: '3000',
  WEBHOOK_RETRY_MAX_ATTEMPTS: '4',
  WEBHOOK_RETRY_JITTER: '0.2',
  WEBHOOK_DELIVERY_TIMEOUT_MS: '2000',
  WEBHOOK_ORDER_RECHECK_MS: '1000',
};

export function testConfig(runId: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    ...FAST_WEBHOOK_ENV,
    WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
    WEBHOOK_TASK_QUEUE: `webhooks-test-${runId}`,
    WEBHOOK_CONSUMER_GROUP: `webhooks-test-${runId}`,
    ...overrides,
  });
}

export const testTopic = (runId: string, topic: string) => `wh-${runId}-${topic}`;

export async function createTestTopics(kafka: Kafka, runId: string): Promise<string[]> {
  const topics = ALL_TOPICS.map((t) => testTopic(runId, t));
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
  return topics;
}

export async function deleteTestTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } catch {
    // best effort: a broker that refuses deletion leaves a few empty topics behind
  } finally {
    await admin.disconnect();
  }
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export const webhookBundle = () =>
  (bundle ??= bundleWorkflowCode({ workflowsPath: WEBHOOK_WORKFLOWS_PATH }));

export interface Harness {
  runId: string;
  config: Config;
  db: Db;
  kafka: Kafka;
  temporal: Client;
  secrets: SecretBox;
  service: WebhookService;
  topics: string[];
  /** Produces events to this run's topics, key = order id, like the order worker does. */
  publish(...events: OrderEvent[]): Promise<void>;
  /** What the order worker does for each step: the order_events row, then the Kafka event. */
  emit(...events: OrderEvent[]): Promise<void>;
  startDispatcher(): Promise<Dispatcher>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  dispatcher?: boolean;
  worker?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const runId = randomUUID().slice(0, 8);
  const config = testConfig(runId, options.env);
  const logger = createLogger('webhook-test', config.LOG_LEVEL);
  const db = createDb(config);
  const kafka = createKafka(config, `webhook-test-${runId}`);
  const temporal = await connectTemporalClient(config);
  const connection: NativeConnection = await connectWorkerConnection(config);
  const secrets = createSecretBox(parseSecretKey(config.WEBHOOK_SECRET_KEY!));
  const attempt = attemptSettingsFromConfig(config);
  const topics = await createTestTopics(kafka, runId);
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();

  let worker: { worker: Worker; running: Promise<void> } | undefined;
  const dispatchers: Dispatcher[] = [];
  // Webhooks registered through the harness are switched off when it closes: their receivers
  // are gone, and the stack's own dispatcher must not retry towards them for a day.
  const service = createWebhookService({ db, secrets, attempt });
  const registered: string[] = [];
  const trackedService: WebhookService = {
    ...service,
    async register(...args) {
      const created = await service.register(...args);
      registered.push(created.webhook.webhook_id);
      return created;
    },
  };

  const harness: Harness = {
    runId,
    config,
    db,
    kafka,
    temporal,
    secrets,
    service: trackedService,
    topics,
    async publish(...events) {
      for (const event of events) {
        await producer.send({
          topic: testTopic(runId, topicFor(event.event_type)!),
          acks: -1,
          messages: [{ key: event.order_id, value: JSON.stringify(event) }],
        });
      }
    },
    async emit(...events) {
      for (const event of events) {
        await recordInTimeline(db, event);
        await harness.publish(event);
      }
    },
    async startDispatcher() {
      const dispatcher = await startDispatcher({
        kafka,
        groupId: config.WEBHOOK_CONSUMER_GROUP,
        topics,
        db,
        temporal,
        settings: dispatchSettingsFromConfig(config),
        logger,
        sessionTimeoutMs: 6000,
        rebalanceTimeoutMs: 10_000,
      });
      dispatchers.push(dispatcher);
      return dispatcher;
    },
    async startWorker() {
      const w = await createWebhookWorker({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.WEBHOOK_TASK_QUEUE,
        deps: {
          db,
          secrets,
          attempt,
          disableAfterMs: config.WEBHOOK_DISABLE_AFTER_MS,
          clock: () => new Date(),
          logger,
        },
        workflowBundle: await webhookBundle(),
      });
      worker = { worker: w, running: w.run() };
    },
    async stopWorker() {
      if (!worker) return;
      worker.worker.shutdown();
      await worker.running;
      worker = undefined;
    },
    async close() {
      for (const d of dispatchers) await d.stop().catch(() => undefined);
      await harness.stopWorker();
      await producer.disconnect();
      if (registered.length > 0) {
        await db
          .updateTable('webhooks')
          .set({ is_active: false, disabled_reason: 'test over' })
          .where('webhook_id', 'in', registered)
          .execute();
      }
      await deleteTestTopics(kafka, topics);
      await temporal.connection.close();
      await connection.close();
      await db.destroy();
    },
  };
  if (options.worker !== false) await harness.startWorker();
  if (options.dispatcher !== false) await harness.startDispatcher();
  return harness;
}

/** Polls `check` until it returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
