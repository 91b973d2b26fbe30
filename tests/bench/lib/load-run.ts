/**
 * One load run against the API and the gateway, in three phases the chaos run reuses:
 *
 * 1. `prepareLoad`: products of the run's own, N customers registered and logged in through
 *    the API, one WebSocket each (open, snapshot received) before the first order.
 * 2. `driveLoad`: orders paced by pacer.ts; each is posted (Idempotency-Key, retried while
 *    the outcome is unknown), cancelled right after its 202 if its kind says so, and counts as
 *    in flight until its terminal status arrives over its customer's socket (or the drain
 *    timeout gives up on it).
 * 3. `finishLoad`: sockets closed, then what the run did is read back from Postgres.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../../../src/config';
import type { Db } from '../../../db/client';
import { createCatalogue, type Catalogue } from './catalogue';
import { ApiClient, newIdempotencyKey, Tally } from './http';
import { orderBody, pickKind } from './order-mix';
import type { LoadOptions } from './options';
import { pace, type PaceResult } from './pacer';
import { readOrderFacts, type OrderFacts } from './postgres-facts';
import { startProgress } from './progress';
import { Tracker, type OrderRecord } from './tracker';
import { createUsers, login, type BenchUser } from './users';
import { nowEpochMs, UserSocket } from './ws-client';

export interface LoadContext {
  config: Config;
  db: Db;
  apiUrl: string;
  gatewayUrl: string;
  /** How long a POST whose outcome is unknown keeps being retried (faults last seconds). */
  retryForMs: number;
  /** Shown at the end of the progress line (the chaos run names the fault in progress). */
  note?: () => string;
  signal?: AbortSignal;
  /** Quiet: no progress line and no phase messages (the vitest chaos test). */
  quiet?: boolean;
}

export interface PreparedLoad {
  runId: string;
  catalogue: Catalogue;
  users: BenchUser[];
  sockets: UserSocket[];
  api: ApiClient;
  tracker: Tracker;
  wsEvents: Tally;
}

export interface DrivenLoad extends PreparedLoad {
  pace: PaceResult;
}

export interface FinishedLoad extends DrivenLoad {
  facts: Map<string, OrderFacts>;
  /** Epoch ms when the sockets were closed: later changes could not have arrived. */
  socketsClosedAt: number;
}

export async function prepareLoad(ctx: LoadContext, options: LoadOptions): Promise<PreparedLoad> {
  const runId = randomUUID().slice(0, 8);
  const say = (m: string): void => {
    if (!ctx.quiet) console.log(m);
  };
  const catalogue = await createCatalogue(ctx.db, options.products, runId);
  say(`▸ ${catalogue.all.length} products created (run ${runId})`);
  const api = new ApiClient(ctx.apiUrl);
  const startedAt = Date.now();
  const users = await createUsers(api, options.users, runId);
  say(`▸ ${users.length} customers registered and logged in (${secondsSince(startedAt)})`);
  const tracker = new Tracker();
  const wsEvents = new Tally();
  const sockets = users.map(
    (user) =>
      new UserSocket({
        gatewayUrl: ctx.gatewayUrl,
        userId: user.userId,
        token: async (fresh) => {
          if (fresh) user.access = await login(api, user);
          return user.access;
        },
        onUpdate: tracker.onUpdate,
        events: wsEvents,
      }),
  );
  const socketsAt = Date.now();
  await Promise.all(sockets.map((s) => s.open()));
  say(`▸ ${sockets.length} WebSockets open (${secondsSince(socketsAt)})`);
  return { runId, catalogue, users, sockets, api, tracker, wsEvents };
}

export async function driveLoad(
  ctx: LoadContext,
  prepared: PreparedLoad,
  options: LoadOptions,
  label = 'load',
): Promise<DrivenLoad> {
  const { tracker, api } = prepared;
  let inFlight = 0;
  const progress = ctx.quiet
    ? undefined
    : startProgress(label, {
        submitted: () => tracker.records.length,
        completed: () => tracker.completed,
        inFlight: () => inFlight,
        errors: () => api.errors.total,
        ...(ctx.note ? { note: ctx.note } : {}),
      });
  const terminalTimeoutMs = options.drainTimeout * 1000;
  const launch = async (seq: number): Promise<void> => {
    inFlight++;
    try {
      const record = await submit(ctx, prepared, options, seq);
      if (record.orderId) await tracker.waitTerminal(record, terminalTimeoutMs);
    } finally {
      inFlight--;
    }
  };
  try {
    const result = await pace(options, launch, ctx.signal ? { signal: ctx.signal } : {});
    return { ...prepared, pace: result };
  } finally {
    progress?.stop();
  }
}

/** Posts one order (and its cancel); returns its record once the API has answered. */
async function submit(
  ctx: LoadContext,
  prepared: PreparedLoad,
  options: LoadOptions,
  seq: number,
): Promise<OrderRecord> {
  const { api, tracker, users, catalogue } = prepared;
  const kind = pickKind(options);
  const user = users[seq % users.length]!;
  const record = tracker.add({
    seq,
    kind,
    userIndex: user.index,
    idempotencyKey: newIdempotencyKey(),
    submittedAt: nowEpochMs(),
  });
  const body = orderBody(kind, catalogue);
  const post = () =>
    api.withRetries(
      'POST /orders',
      'POST',
      '/api/v1/orders',
      {
        token: user.access,
        body,
        ip: user.ip,
        headers: { 'Idempotency-Key': record.idempotencyKey },
      },
      ctx.retryForMs,
    );
  let { response, attempts } = await post();
  if (response?.status === 401) {
    // The token expired under a long run: log in again once, same key.
    user.access = await login(api, user);
    const again = await post();
    response = again.response;
    attempts += again.attempts;
  }
  record.postAttempts = attempts;
  record.httpStatus = response?.status;
  record.postMs = response?.ms;
  if (response?.status !== 202) {
    api.errors.add(`POST /orders final ${response?.status ?? 'no answer'}`);
    return record;
  }
  tracker.claim(record, String(response.body.order_id));
  if (kind === 'cancel') {
    const moments = options.cancelWhen.split(',');
    const when = moments[Math.floor(Math.random() * moments.length)] ?? 'accepted';
    // Later moments reach the compensations (refund after paid, release after processing).
    if (when !== 'accepted') await tracker.waitStatus(record, when, ctx.retryForMs);
    const cancel = await api.withRetries(
      'DELETE /orders',
      'DELETE',
      `/api/v1/orders/${record.orderId}`,
      { token: user.access, ip: user.ip },
      ctx.retryForMs,
    );
    record.cancelStatus = cancel.response?.status;
  }
  return record;
}

/** Closes the sockets and reads every accepted order back from Postgres. */
export async function finishLoad(ctx: LoadContext, driven: DrivenLoad): Promise<FinishedLoad> {
  for (const socket of driven.sockets) socket.close();
  const socketsClosedAt = Date.now();
  const ids = driven.tracker.acceptedRecords().map((r) => r.orderId);
  const facts = await readOrderFacts(ctx.db, ids);
  return { ...driven, facts, socketsClosedAt };
}

function secondsSince(startedAt: number): string {
  return `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
}
