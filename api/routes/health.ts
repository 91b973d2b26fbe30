/**
 * /health/live: the process answers. /health/ready: every backing service answers, each check
 * bounded by a timeout and reported on its own; 503 when any fails, so a load balancer stops
 * routing here. Check errors are summarised ("timeout", "unreachable"), details go to the log.
 */
import net from 'node:net';
import { createRoute } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Db } from '../../db/client';
import type { Logger } from '../../src/logger';
import { router } from '../router';
import { json, LivenessSchema, ReadinessSchema } from '../schemas';

export type Check = () => Promise<unknown>;

interface CheckResult {
  status: 'ok' | 'fail';
  latency_ms: number;
  error?: string;
}

/** Resolves when a TCP connection to host:port opens: proof that a broker is listening. */
export function tcpCheck(hostPort: string, timeoutMs: number): Promise<void> {
  const index = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, index).replace(/^\[|\]$/g, '');
  const port = Number(hostPort.slice(index + 1));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error('timeout'));
    });
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
  });
}

/** Any one reachable broker is enough: the client discovers the rest of the cluster from it. */
export function kafkaCheck(brokers: readonly string[], timeoutMs: number): Check {
  return () => Promise.any(brokers.map((b) => tcpCheck(b, timeoutMs)));
}

export function defaultChecks(
  deps: { db: Db; redis: Redis; temporal: Client; kafkaBrokers: readonly string[] },
  timeoutMs = 1000,
) {
  return {
    postgres: () => sql`select 1`.execute(deps.db),
    redis: () => deps.redis.ping(),
    kafka: kafkaCheck(deps.kafkaBrokers, timeoutMs),
    temporal: () =>
      deps.temporal.connection.withDeadline(Date.now() + timeoutMs, () =>
        deps.temporal.workflowService.getSystemInfo({}),
      ),
  } satisfies Record<string, Check>;
}

async function run(
  name: string,
  check: Check,
  timeoutMs: number,
  log: Logger,
): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const pending = check();
  try {
    await Promise.race([
      pending,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return { status: 'ok', latency_ms: Math.round(performance.now() - started) };
  } catch (err) {
    pending.catch(() => undefined);
    log.warn({ err, check: name }, 'readiness check failed');
    const timedOut = err instanceof Error && err.message === 'timeout';
    return {
      status: 'fail',
      latency_ms: Math.round(performance.now() - started),
      error: timedOut ? 'timeout' : 'unreachable',
    };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(checks: Record<string, Check>, timeoutMs = 1500) {
  const live = createRoute({
    method: 'get',
    path: '/health/live',
    tags: ['health'],
    summary: 'The process is up',
    responses: { 200: json(LivenessSchema, 'Alive', false) },
  });
  const ready = createRoute({
    method: 'get',
    path: '/health/ready',
    tags: ['health'],
    summary: 'Postgres, Redis, Kafka and Temporal all answer',
    responses: {
      200: json(ReadinessSchema, 'Ready', false),
      503: json(ReadinessSchema, 'Not ready: see the failed checks', false),
    },
  });
  return router()
    .openapi(live, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      const names = Object.keys(checks);
      const results = await Promise.all(
        names.map((n) => run(n, checks[n] ?? (() => Promise.resolve()), timeoutMs, c.get('log'))),
      );
      const byName = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
      const ok = results.every((r) => r.status === 'ok');
      c.header('Cache-Control', 'no-store');
      return ok
        ? c.json({ status: 'ok' as const, checks: byName }, 200)
        : c.json({ status: 'fail' as const, checks: byName }, 503);
    });
}
