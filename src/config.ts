/**
 * Configuration from environment variables, parsed once per process with a schema and
 * frozen. Every variable is documented in `.env.example`. A bad value fails start-up with
 * every problem listed, never later at first use.
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const ratio = z.coerce.number().min(0).max(1);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STATE_DIR: z.string().default('.stack'),

  DATABASE_URL: z.string().default('postgres://orders:orders@127.0.0.1:5432/orders_db'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).default(10),
  DATABASE_SSL: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  KAFKA_BROKERS: list.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().default('order-platform'),
  KAFKA_SSL: bool.default(false),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** Task queue of the order workflows; only tests and isolated deployments change it. */
  TEMPORAL_TASK_QUEUE: z.string().default('orders'),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),

  API_HOST: z.string().default('0.0.0.0'),
  API_PORT: z.coerce.number().int().default(8000),
  GATEWAY_HOST: z.string().default('0.0.0.0'),
  GATEWAY_PORT: z.coerce.number().int().default(8001),
  CORS_ORIGINS: list.default([
    'http://localhost:8000',
    'http://localhost:8001',
    'http://127.0.0.1:8000',
    'http://127.0.0.1:8001',
  ]),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .default(64 * 1024),
  RATE_LIMITS_ENABLED: bool.default(true),

  /** PEM private key (PKCS#8) for RS256; generated into STATE_DIR in development. */
  JWT_PRIVATE_KEY_PATH: z.string().optional(),
  JWT_ISSUER: z.string().default('order-platform'),
  JWT_AUDIENCE: z.string().default('order-platform'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .default(15 * 60),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .default(7 * 24 * 3600),
  JWKS_URL: z.string().default('http://127.0.0.1:8000/.well-known/jwks.json'),

  WEBHOOK_SECRET_KEY: z.string().optional(),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool.default(false),
  /** Webhook dispatcher: Kafka consumer group, Temporal task queue, which halves this process runs. */
  WEBHOOK_CONSUMER_GROUP: z.string().default('webhook-dispatcher'),
  WEBHOOK_TASK_QUEUE: z.string().default('webhook-deliveries'),
  WEBHOOK_DISPATCHER_ROLES: list
    .pipe(z.array(z.enum(['consumer', 'worker'])).min(1))
    .default(['consumer', 'worker']),
  /** Delivery retries: exponential back-off with jitter; the defaults span about a day. */
  WEBHOOK_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(5_000),
  WEBHOOK_RETRY_BACKOFF: z.coerce.number().min(1).default(3),
  WEBHOOK_RETRY_MAX_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(6 * 3600 * 1000),
  WEBHOOK_RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(12),
  WEBHOOK_RETRY_JITTER: ratio.default(0.2),
  /** One attempt: connect + send + read the response, and at most this many response bytes. */
  WEBHOOK_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  WEBHOOK_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(64 * 1024),
  /** A webhook whose deliveries keep failing for this long is deactivated, with a reason. */
  WEBHOOK_DISABLE_AFTER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 24 * 3600 * 1000),
  /** First interval (then doubling) at which a delivery waiting for its order's previous event re-checks it. */
  WEBHOOK_ORDER_RECHECK_MS: z.coerce.number().int().min(10).default(2_000),
  /** The longest a delivery waits for an earlier event of its order that was not scheduled yet. */
  WEBHOOK_ORDER_MAX_WAIT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 60_000),

  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().default(2000),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().default(200),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().default(100),
  /**
   * Orders still `pending` this long after creation with no workflow at all (the API could not
   * start it) are failed by the worker's sweep; every so often it looks (0 disables it).
   */
  STRANDED_ORDER_AFTER_SECONDS: z.coerce.number().int().min(1).default(300),
  STRANDED_ORDER_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Prometheus endpoints of the non-HTTP processes (0 disables). */
  WORKER_METRICS_PORT: z.coerce.number().int().default(9464),
  WORKER_SDK_METRICS_PORT: z.coerce.number().int().default(9466),
  DISPATCHER_METRICS_PORT: z.coerce.number().int().default(9465),

  SIM_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  SIM_PAYMENT_TRANSIENT_FAILURE_RATE: ratio.default(0),
  SIM_PAYMENT_DECLINE_OVER_CENTS: z.coerce.number().int().default(1_000_000),
  SIM_CARRIER_TRANSIENT_FAILURE_RATE: ratio.default(0),
  SIM_DELIVERY_DELAY_MS: z.coerce.number().int().min(0).default(2000),
  /** Customer emails over SMTP (e.g. smtp://user:pass@mail:587); unset: simulated, recorded only. */
  SMTP_URL: z.string().optional(),
  SMTP_FROM: z.string().default('orders@localhost'),
});

export type Config = Readonly<z.infer<typeof schema>>;

/** Every variable the platform reads (each one is documented in .env.example). */
export const CONFIG_KEYS = Object.keys(schema.shape) as (keyof Config)[];

/** Parses `env` (default: process.env); throws one error listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${problems.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}
