/**
 * Fixtures for the gateway's integration tests: a key pair of our own whose JWKS a tiny local
 * HTTP server publishes (as the API does), tokens signed with the API's own signer, real
 * gateways on random ports over the real Redis and Postgres, and WebSocket clients (`ws`) that
 * queue what they receive so a test can await messages in order.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import WebSocket from 'ws';
import type { Role } from '../../../src/auth/claims';
import { generateSigningKeys, type SigningKeys } from '../../../src/auth/keys';
import { createTokenSigner } from '../../../src/auth/tokens';
import { loadConfig, type Config } from '../../../src/config';
import { createDb, type Db } from '../../../db/client';
import { createLogger } from '../../../src/logger';
import { createRedis, createStatusPublisher } from '../../../src/redis';
import type { OrderStatus } from '../../../src/contract/orders';
import { STATUS_MESSAGES, type OrderUpdateMessage } from '../../../src/contract/ws-messages';
import { remoteKeySource } from '../../../gateway/auth';
import { loadGatewayOptions, type GatewayOptions } from '../../../gateway/options';
import { createGateway, type Gateway } from '../../../gateway/server';

export const config: Config = loadConfig({
  ...process.env,
  GATEWAY_HOST: '127.0.0.1',
  GATEWAY_PORT: '0',
  JWT_ISSUER: 'gateway-tests',
  JWT_AUDIENCE: 'gateway-tests',
  CORS_ORIGINS: 'http://localhost:8001,http://allowed.example',
});

export const logger = createLogger('gateway-test', process.env.LOG_LEVEL ?? 'silent');

/** Our own RS256 key pair, its JWKS served over HTTP like the API's. */
export async function startJwks() {
  const keys = await generateSigningKeys();
  const body = JSON.stringify(keys.jwks);
  const server: Server = createServer((req, res) => {
    res.writeHead(req.url === '/.well-known/jwks.json' ? 200 : 404, {
      'Content-Type': 'application/json',
    });
    res.end(req.url === '/.well-known/jwks.json' ? body : '{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    keys,
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TokenOptions {
  role?: Role;
  /** Seconds the token lives (default 900). */
  ttl?: number;
  /** Signs as if it were this many seconds ago. */
  ageSeconds?: number;
}

export async function mintToken(
  keys: SigningKeys,
  userId: string,
  options: TokenOptions = {},
): Promise<string> {
  const signer = createTokenSigner(
    keys,
    {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      accessTtlSeconds: options.ttl ?? 900,
      refreshTtlSeconds: 3600,
    },
    () => new Date(Date.now() - (options.ageSeconds ?? 0) * 1000),
  );
  const { token } = await signer.signAccess({ userId, role: options.role ?? 'user' });
  return token;
}

export const testOptions = (overrides: Partial<GatewayOptions> = {}): GatewayOptions => ({
  ...loadGatewayOptions({}),
  resumeWaitMs: 150,
  gatewayId: `test-${randomUUID().slice(0, 8)}`,
  ...overrides,
});

/** Where clients connect: `/ws/orders/{user_id}` on some gateway. */
export interface Endpoint {
  url(userId: string, query?: Record<string, string>): string;
}

export function endpoint(port: number): Endpoint {
  return {
    url: (userId, query = {}) => {
      const qs = new URLSearchParams(query).toString();
      return `ws://127.0.0.1:${port}/ws/orders/${userId}${qs ? `?${qs}` : ''}`;
    },
  };
}

export interface RunningGateway extends Endpoint {
  gateway: Gateway;
  port: number;
  options: GatewayOptions;
  stop(): Promise<void>;
}

/** A real gateway on a random port with its own Redis connections. */
export async function startGateway(
  jwksUrl: string,
  db: Db,
  overrides: Partial<GatewayOptions> = {},
): Promise<RunningGateway> {
  const options = testOptions(overrides);
  const redis = createRedis(config.REDIS_URL);
  const subscriber = createRedis(config.REDIS_URL, { connectionName: `sub-${options.gatewayId}` });
  const gateway = createGateway({
    config,
    options,
    redis,
    subscriber,
    db,
    keys: remoteKeySource(jwksUrl),
    logger,
  });
  const port = await gateway.start();
  return {
    gateway,
    port,
    options,
    ...endpoint(port),
    async stop() {
      await gateway.stop();
      subscriber.disconnect();
      redis.disconnect();
    },
  };
}

export function testDb(): Db {
  return createDb({ ...config, DATABASE_POOL_MAX: 2 });
}

export interface Received {
  type: string;
  [key: string]: unknown;
}

/** A `ws` client whose messages queue up until the test asks for them. */
export class TestClient {
  private readonly queue: Received[] = [];
  private readonly waiters: ((m: Received) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** WebSocket pings received from the gateway. */
  pings = 0;

  constructor(readonly socket: WebSocket) {
    socket.on('ping', () => this.pings++);
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Received;
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  /** The next message, or a failure after `timeoutMs`. */
  next(timeoutMs = 5000): Promise<Received> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(onMessage), 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (m: Received) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push(onMessage);
    });
  }

  /** The next `count` messages. */
  async take(count: number, timeoutMs = 5000): Promise<Received[]> {
    const out: Received[] = [];
    for (let i = 0; i < count; i++) out.push(await this.next(timeoutMs));
    return out;
  }

  /** Fails if any message arrives within `ms`. */
  async expectSilence(ms = 300): Promise<void> {
    const extra = await this.next(ms).catch(() => null);
    if (extra) throw new Error(`unexpected message: ${JSON.stringify(extra)}`);
  }

  send(value: unknown): void {
    this.socket.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close(1000);
    return this.closed;
  }
}

export interface ConnectOptions {
  token?: string;
  /** Send the token in the URL instead of the Authorization header. */
  tokenInQuery?: boolean;
  origin?: string;
  lastEventId?: string;
  autoPong?: boolean;
}

function clientFor(run: Endpoint, userId: string, options: ConnectOptions): WebSocket {
  const query: Record<string, string> = {};
  if (options.token && options.tokenInQuery) query.token = options.token;
  if (options.lastEventId) query.last_event_id = options.lastEventId;
  const headers: Record<string, string> = {};
  if (options.token && !options.tokenInQuery) headers.Authorization = `Bearer ${options.token}`;
  return new WebSocket(run.url(userId, query), {
    headers,
    ...(options.origin ? { origin: options.origin } : {}),
    autoPong: options.autoPong ?? true,
  });
}

/** Opens a connection that the gateway must accept. */
export async function connect(
  run: Endpoint,
  userId: string,
  options: ConnectOptions = {},
): Promise<TestClient> {
  const socket = clientFor(run, userId, options);
  const client = new TestClient(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
    socket.once('error', reject);
  });
  return client;
}

/** Opens a connection that the gateway must refuse; resolves with the HTTP status and body. */
export async function refusal(
  run: Endpoint,
  userId: string,
  options: ConnectOptions = {},
): Promise<{
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}> {
  const socket = clientFor(run, userId, options);
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        socket.terminate();
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    socket.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

/** Publishes a status change exactly as the worker does; returns the message and stream id. */
export function statusPublisher(redis: ReturnType<typeof createRedis>) {
  const publisher = createStatusPublisher(redis);
  return async (
    userId: string,
    orderId: string,
    status: OrderStatus,
    data: Record<string, unknown> = {},
  ) => {
    const message: OrderUpdateMessage = {
      type: 'order.update',
      event_id: randomUUID(),
      order_id: orderId,
      user_id: userId,
      status,
      message: STATUS_MESSAGES[status],
      timestamp: new Date().toISOString(),
      data,
    };
    const id = await publisher.publish(message);
    if (!id) throw new Error('status change was not published');
    return { ...message, id };
  };
}

/** The statuses of an order that goes all the way, in the saga's order. */
export const SAGA_PATH: OrderStatus[] = [
  'pending',
  'validated',
  'paid',
  'processing',
  'fulfilled',
  'shipped',
  'delivered',
];

/** Resolves once `check` holds, polling; fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 25));
  }
}
