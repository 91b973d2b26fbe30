/**
 * The webhook use cases behind the API routes: register (SSRF check, secret generated or
 * validated, encrypted at rest), list, change, delete, read the delivery log, and send a test
 * ping now. Every access by id is scoped to the owner (or a privileged caller); another user's
 * webhook is "not found", never "forbidden".
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import type { WebhookAttemptStatus } from '../../db/schema';
import { attemptDelivery, type AttemptReport, type AttemptSettings } from './attempt';
import { PING_EVENT_TYPE } from './event-types';
import { messageBody, pingMessage } from './payload';
import type { SecretBox } from './secret-box';
import { generateSecret, isValidSecret } from './signing';
import { resolveTarget, TargetRefusedError } from './ssrf';
import {
  countWebhooks,
  deleteWebhook,
  getWebhook,
  insertAttemptLog,
  insertWebhook,
  listAttemptLogs,
  listWebhooks,
  updateWebhook,
  type WebhookLogRow,
  type WebhookPatch,
  type WebhookRow,
} from './store';

export const MAX_WEBHOOKS_PER_USER = 20;

export interface Caller {
  userId: string;
  /** Admin and system callers may act on any webhook by id. */
  privileged: boolean;
}

/** A request the service refuses; `field` names the offending input, when there is one. */
export class WebhookInputError extends Error {
  override readonly name = 'WebhookInputError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export class WebhookNotFoundError extends Error {
  override readonly name = 'WebhookNotFoundError';
}

export interface WebhookView {
  webhook_id: string;
  url: string;
  event_types: string[];
  is_active: boolean;
  disabled_reason: string | null;
  disabled_at: string | null;
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveryLogView {
  log_id: string;
  event_id: string | null;
  event_type: string;
  order_id: string | null;
  attempt: number;
  status: WebhookAttemptStatus;
  response_status: number | null;
  response_body: string | null;
  latency_ms: number | null;
  error: string | null;
  created_at: string;
}

export interface PingResult {
  delivered: boolean;
  response_status: number | null;
  latency_ms: number | null;
  error: string | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function webhookView(row: WebhookRow): WebhookView {
  return {
    webhook_id: row.webhook_id,
    url: row.url,
    event_types: row.event_types,
    is_active: row.is_active,
    disabled_reason: row.disabled_reason,
    disabled_at: iso(row.disabled_at),
    failing_since: iso(row.failing_since),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function logView(row: WebhookLogRow): DeliveryLogView {
  return {
    log_id: row.log_id,
    event_id: row.event_id,
    event_type: row.event_type,
    order_id: row.order_id,
    attempt: row.attempts,
    status: row.status,
    response_status: row.response_status,
    response_body: row.response_body,
    latency_ms: row.latency_ms,
    error: row.error,
    created_at: row.created_at.toISOString(),
  };
}

function encodeCursor(row: WebhookLogRow): string {
  return Buffer.from(`${row.created_at.toISOString()}|${row.log_id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; logId: string } {
  const [at, logId] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!logId || !/^[0-9a-f-]{36}$/i.test(logId) || Number.isNaN(createdAt.getTime())) {
    throw new WebhookInputError('cursor is not one this API returned', 'cursor');
  }
  return { createdAt, logId };
}

export interface WebhookServiceDeps {
  db: Db;
  secrets: SecretBox;
  attempt: AttemptSettings;
  clock?: () => Date;
}

export interface RegisterInput {
  url: string;
  event_types: string[];
  secret?: string | undefined;
}

export interface UpdateInput {
  url?: string | undefined;
  event_types?: string[] | undefined;
  is_active?: boolean | undefined;
  rotate_secret?: boolean | undefined;
}

export function createWebhookService(deps: WebhookServiceDeps) {
  const now = deps.clock ?? (() => new Date());

  async function checkUrl(url: string): Promise<void> {
    try {
      await resolveTarget(url, deps.attempt.policy, deps.attempt.resolver);
    } catch (err) {
      if (err instanceof TargetRefusedError) throw new WebhookInputError(err.message, 'url');
      throw err;
    }
  }

  async function owned(caller: Caller, webhookId: string): Promise<WebhookRow> {
    const row = await getWebhook(deps.db, webhookId);
    if (!row || (row.user_id !== caller.userId && !caller.privileged)) {
      throw new WebhookNotFoundError(`webhook ${webhookId} not found`);
    }
    return row;
  }

  return {
    async register(
      caller: Caller,
      input: RegisterInput,
    ): Promise<{ webhook: WebhookView; secret: string }> {
      if (input.secret !== undefined && !isValidSecret(input.secret)) {
        throw new WebhookInputError(
          'secret must be whsec_ followed by base64 of 24 to 64 bytes',
          'secret',
        );
      }
      await checkUrl(input.url);
      if ((await countWebhooks(deps.db, caller.userId)) >= MAX_WEBHOOKS_PER_USER) {
        throw new WebhookInputError(`at most ${MAX_WEBHOOKS_PER_USER} webhooks per user`, '');
      }
      const webhookId = randomUUID();
      const secret = input.secret ?? generateSecret();
      const row = await insertWebhook(deps.db, {
        webhookId,
        userId: caller.userId,
        url: input.url,
        secretEnvelope: deps.secrets.encrypt(secret, webhookId),
        eventTypes: [...new Set(input.event_types)],
      });
      return { webhook: webhookView(row), secret };
    },

    async list(caller: Caller): Promise<WebhookView[]> {
      return (await listWebhooks(deps.db, caller.userId)).map(webhookView);
    },

    async get(caller: Caller, webhookId: string): Promise<WebhookView> {
      return webhookView(await owned(caller, webhookId));
    },

    async update(
      caller: Caller,
      webhookId: string,
      input: UpdateInput,
    ): Promise<{ webhook: WebhookView; secret?: string }> {
      await owned(caller, webhookId);
      if (input.url !== undefined) await checkUrl(input.url);
      const secret = input.rotate_secret ? generateSecret() : undefined;
      const patch: WebhookPatch = {
        ...(input.url !== undefined ? { url: input.url } : {}),
        ...(input.event_types !== undefined ? { eventTypes: [...new Set(input.event_types)] } : {}),
        ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
        ...(secret ? { secretEnvelope: deps.secrets.encrypt(secret, webhookId) } : {}),
      };
      const row = await updateWebhook(deps.db, webhookId, patch);
      if (!row) throw new WebhookNotFoundError(`webhook ${webhookId} not found`);
      return { webhook: webhookView(row), ...(secret ? { secret } : {}) };
    },

    async remove(caller: Caller, webhookId: string): Promise<void> {
      await owned(caller, webhookId);
      await deleteWebhook(deps.db, webhookId);
    },

    async deliveries(
      caller: Caller,
      webhookId: string,
      limit: number,
      cursor?: string,
    ): Promise<{ data: DeliveryLogView[]; next_cursor: string | null }> {
      await owned(caller, webhookId);
      const rows = await listAttemptLogs(
        deps.db,
        webhookId,
        limit + 1,
        cursor ? decodeCursor(cursor) : undefined,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        data: page.map(logView),
        next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
      };
    },

    /** Sends a signed `webhook.ping` now, once, and logs it like any attempt. */
    async ping(caller: Caller, webhookId: string): Promise<PingResult> {
      const webhook = await owned(caller, webhookId);
      const at = now();
      const message = pingMessage(webhook.webhook_id, at);
      const messageId = randomUUID();
      const report: AttemptReport = await attemptDelivery(
        {
          url: webhook.url,
          secret: deps.secrets.decrypt(webhook.secret, webhook.webhook_id),
          messageId,
          body: messageBody(message),
          now: at,
        },
        deps.attempt,
      );
      const delivered = report.outcome === 'delivered';
      await insertAttemptLog(deps.db, {
        webhookId,
        deliveryId: null,
        eventId: messageId,
        orderId: null,
        eventType: PING_EVENT_TYPE,
        requestPayload: { ...message },
        responseStatus: report.responseStatus,
        responseBody: report.responseBody,
        latencyMs: report.latencyMs,
        error: report.error,
        attempt: 1,
        status: delivered ? 'succeeded' : 'failed',
      });
      return {
        delivered,
        response_status: report.responseStatus,
        latency_ms: report.latencyMs,
        error: report.error,
      };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
