/**
 * The API built in process over the real services (Postgres, Redis, Temporal; Kafka only for
 * readiness), plus helpers that create what each test needs with random names, so tests never
 * depend on each other or on their order. Workflows are started on a task queue of their own
 * that no worker polls, so orders stay pending whether or not the stack's worker runs:
 * starting a workflow and signalling it are accepted by Temporal all the same.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createApp, type App } from '../../../api/app';
import { systemClock, type Clock } from '../../../api/deps';
import { createDb, type Db } from '../../../db/client';
import { generateSigningKeys, type SigningKeys } from '../../../src/auth/keys';
import { hashPassword } from '../../../src/auth/password';
import { createTokenSigner } from '../../../src/auth/tokens';
import { loadConfig, type Config } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { createRedis } from '../../../src/redis';
import { temporalConnectionOptions } from '../../../src/temporal/connection';

function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TEMPORAL_TASK_QUEUE: `api-tests-${randomUUID()}`,
    ...env,
  });
}

/** A clock tests can move forward. */
export function movableClock(start = new Date()): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

let sharedKeys: Promise<SigningKeys> | undefined;

export interface TestApi {
  app: App;
  db: Db;
  redis: ReturnType<typeof createRedis>;
  temporal: Client;
  config: Config;
  keys: SigningKeys;
  clock: Clock;
  close(): Promise<void>;
}

export async function startApi(
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<TestApi> {
  const config = testConfig(options.env);
  const db = createDb(config);
  const redis = createRedis(config.REDIS_URL, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    if (redis.status === 'ready') resolve();
    redis.once('ready', () => resolve());
    setTimeout(resolve, 2000);
  });
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const keys = await (sharedKeys ??= generateSigningKeys());
  const app = createApp({
    config,
    db,
    redis,
    temporal,
    keys,
    logger: createLogger('api-test', process.env.TEST_LOG_LEVEL ?? 'silent'),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    app,
    db,
    redis,
    temporal,
    config,
    keys,
    clock: options.clock ?? systemClock,
    async close() {
      await forgetTestOrders(temporal, db, config.TEMPORAL_TASK_QUEUE);
      await connection.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}

/**
 * Leaves nothing behind: the workflows started on this app's private task queue (no worker
 * will ever run them) are terminated and their orders deleted, so other suites and the
 * stack's invariant checks never see orders stuck in pending.
 */
async function forgetTestOrders(temporal: Client, db: Db, taskQueue: string): Promise<void> {
  const orderIds: string[] = [];
  for await (const wf of temporal.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    orderIds.push(wf.workflowId.replace(/^order-/, ''));
    if (wf.status.name === 'RUNNING') {
      await temporal.workflow
        .getHandle(wf.workflowId)
        .terminate('api test finished')
        .catch(() => undefined);
    }
  }
  if (orderIds.length) await db.deleteFrom('orders').where('order_id', 'in', orderIds).execute();
}

/** A random address from the benchmarking range, so per-IP limits never collide across tests. */
export function randomIp(): string {
  return `198.${18 + randomInt(2)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export interface Session {
  userId: string;
  email: string;
  password: string;
  access: string;
  refresh: string;
  ip: string;
}

type Json = Record<string, unknown>;

export async function call(
  app: App,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; ip?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {
    'X-Forwarded-For': options.ip ?? randomIp(),
    ...options.headers,
  };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await app.request(path, {
    method,
    headers,
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : {}) as Json;
  return { status: res.status, headers: res.headers, body };
}

export async function register(app: App, overrides: Json = {}) {
  const email = `user-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  const res = await call(app, 'POST', '/api/v1/auth/register', {
    body: { email, password, ...overrides },
  });
  if (res.status !== 201)
    throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { userId: res.body.user_id as string, email, password };
}

export async function login(app: App, email: string, password: string, ip = randomIp()) {
  const res = await call(app, 'POST', '/api/v1/auth/login', { body: { email, password }, ip });
  if (res.status !== 200)
    throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { access: res.body.access_token as string, refresh: res.body.refresh_token as string };
}

/** A fresh customer, registered and logged in through the API. */
export async function newUser(app: App): Promise<Session> {
  const ip = randomIp();
  const { userId, email, password } = await register(app);
  return { userId, email, password, ip, ...(await login(app, email, password, ip)) };
}

let knownHash: Promise<string> | undefined;
const KNOWN_PASSWORD = 'known-password-1';

/**
 * An account of any role, inserted directly (admin and system accounts cannot be created
 * through the API) and holding an access token signed with the app's key: no scrypt on the
 * way, so order and rate-limit tests stay fast. Auth flows use `newUser` instead.
 */
export async function quickUser(
  api: TestApi,
  role: 'user' | 'admin' | 'system' = 'user',
): Promise<Session> {
  const email = `${role}-${randomUUID()}@example.com`;
  const row = await api.db
    .insertInto('users')
    .values({ email, password_hash: await (knownHash ??= hashPassword(KNOWN_PASSWORD)), role })
    .returning('user_id')
    .executeTakeFirstOrThrow();
  const signer = createTokenSigner(
    api.keys,
    {
      issuer: api.config.JWT_ISSUER,
      audience: api.config.JWT_AUDIENCE,
      accessTtlSeconds: api.config.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: api.config.REFRESH_TOKEN_TTL_SECONDS,
    },
    () => api.clock.now(),
  );
  const { token } = await signer.signAccess({ userId: row.user_id, role });
  return {
    userId: row.user_id,
    email,
    password: KNOWN_PASSWORD,
    ip: randomIp(),
    access: token,
    refresh: '',
  };
}

export const PRODUCT_A = '8f1d4c1e-7c51-4f55-9b57-0d6f6f0a0001';
export const PRODUCT_B = '8f1d4c1e-7c51-4f55-9b57-0d6f6f0a0002';

export function orderBody(overrides: Json = {}) {
  return {
    items: [
      { product_id: PRODUCT_A, quantity: 2, price: '12.50' },
      { product_id: PRODUCT_B, quantity: 1, price: 19.99 },
    ],
    shipping_address: {
      street: '1 Main St',
      city: 'Springfield',
      state: 'IL',
      zip: '62701',
      country: 'US',
    },
    payment_method: 'credit_card',
    ...overrides,
  };
}

export async function placeOrder(app: App, session: Session, body: unknown = orderBody()) {
  const res = await call(app, 'POST', '/api/v1/orders', {
    token: session.access,
    body,
    ip: session.ip,
  });
  if (res.status !== 202)
    throw new Error(`order failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.order_id as string;
}
