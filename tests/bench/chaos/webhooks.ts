/**
 * The webhook invariant: every order event of the run reaches the customer's webhook at least
 * once, and every copy of one event carries the same `webhook-id` (Standard Webhooks' message
 * id, the receiver's dedupe key), distinct from every other event's.
 *
 * A local receiver (127.0.0.1, a port of its own) answers 200 to everything and records what
 * arrived; each customer registers one webhook for all event types through the API. The
 * feature is optional for the run: when the API has no webhook route, or refuses a loopback
 * target (WEBHOOK_ALLOW_PRIVATE_TARGETS off), the invariant is skipped with a note.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../lib/http';
import type { BenchUser } from '../lib/users';

export interface Delivery {
  webhookIds: Set<string>;
  copies: number;
  /** The path the request came to: /hooks/<user id>. */
  paths: Set<string>;
}

export class WebhookReceiver {
  /** event id → what arrived for it. */
  readonly deliveries = new Map<string, Delivery>();
  /** webhook-id header → the event ids sent under it. */
  readonly eventsByMessageId = new Map<string, Set<string>>();
  requests = 0;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        this.record(
          req.url ?? '',
          String(req.headers['webhook-id'] ?? ''),
          Buffer.concat(chunks).toString(),
        );
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private record(path: string, messageId: string, body: string): void {
    let eventId = '';
    try {
      const parsed = JSON.parse(body) as { data?: { event_id?: unknown } };
      eventId = typeof parsed.data?.event_id === 'string' ? parsed.data.event_id : '';
    } catch {
      return;
    }
    if (!eventId) return;
    const d = this.deliveries.get(eventId) ?? {
      webhookIds: new Set(),
      copies: 0,
      paths: new Set(),
    };
    d.webhookIds.add(messageId);
    d.copies++;
    d.paths.add(path);
    this.deliveries.set(eventId, d);
    const events = this.eventsByMessageId.get(messageId) ?? new Set();
    events.add(eventId);
    this.eventsByMessageId.set(messageId, events);
  }
}

export type WebhookSetup =
  | { enabled: true; registered: number; ids: { user: BenchUser; webhookId: string }[] }
  | { enabled: false; note: string };

/** Registers one webhook per customer, or says why the webhook check cannot run. */
export async function registerWebhooks(
  api: ApiClient,
  users: readonly BenchUser[],
  receiverUrl: string,
  extraReason?: string,
): Promise<WebhookSetup> {
  if (extraReason) return { enabled: false, note: extraReason };
  const ids: { user: BenchUser; webhookId: string }[] = [];
  for (const user of users) {
    const { response } = await api.withRetries(
      'POST /webhooks',
      'POST',
      '/api/v1/webhooks',
      {
        token: user.access,
        ip: user.ip,
        body: { url: `${receiverUrl}/hooks/${user.userId}`, event_types: ['*'] },
      },
      30_000,
    );
    if (response?.status === 404 && ids.length === 0)
      return {
        enabled: false,
        note: 'the API has no /api/v1/webhooks route: webhook feature absent',
      };
    if (response?.status !== 201) {
      const why = response
        ? `${response.status} ${JSON.stringify(response.body).slice(0, 160)}`
        : 'no answer';
      await removeWebhooks(api, { enabled: true, registered: ids.length, ids });
      return { enabled: false, note: `registering a loopback webhook was refused (${why})` };
    }
    ids.push({ user, webhookId: String(response.body.webhook_id) });
  }
  return { enabled: true, registered: ids.length, ids };
}

/**
 * Deletes the run's webhooks: deliveries still retrying towards the receiver (which is about
 * to close) are then skipped instead of retrying for a day on everybody's Temporal.
 */
export async function removeWebhooks(api: ApiClient, setup: WebhookSetup): Promise<void> {
  if (!setup.enabled) return;
  for (const { user, webhookId } of setup.ids) {
    await api
      .withRetries(
        'DELETE /webhooks',
        'DELETE',
        `/api/v1/webhooks/${webhookId}`,
        { token: user.access, ip: user.ip },
        10_000,
      )
      .catch(() => undefined);
  }
}

export interface WebhookOutcome {
  expected: number;
  missing: number;
  /** Events delivered under more than one webhook-id. */
  unstableIds: number;
  /** webhook-ids shared by more than one event. */
  sharedIds: number;
  /** Events delivered to another customer's webhook. */
  misrouted: number;
  copies: number;
}

/**
 * Waits until every expected event has arrived, as long as deliveries keep coming: it gives
 * up after `quietMs` without a new request, or after four times that in all. `expected`:
 * event id → the user id whose webhook must receive it.
 */
export async function checkWebhookDeliveries(
  receiver: WebhookReceiver,
  expected: ReadonlyMap<string, string>,
  quietMs: number,
): Promise<WebhookOutcome> {
  const hardDeadline = Date.now() + 4 * quietMs;
  const missingNow = (): number =>
    [...expected.keys()].filter((id) => !receiver.deliveries.has(id)).length;
  let lastRequests = receiver.requests;
  let lastProgress = Date.now();
  while (missingNow() > 0 && Date.now() < hardDeadline && Date.now() - lastProgress < quietMs) {
    await sleep(500);
    if (receiver.requests !== lastRequests) {
      lastRequests = receiver.requests;
      lastProgress = Date.now();
    }
  }
  let unstableIds = 0;
  let misrouted = 0;
  let copies = 0;
  for (const [eventId, userId] of expected) {
    const d = receiver.deliveries.get(eventId);
    if (!d) continue;
    copies += d.copies;
    if (d.webhookIds.size !== 1) unstableIds++;
    if (![...d.paths].every((p) => p === `/hooks/${userId}`)) misrouted++;
  }
  const sharedIds = [...receiver.eventsByMessageId.values()].filter(
    (events) => events.size > 1,
  ).length;
  return {
    expected: expected.size,
    missing: missingNow(),
    unstableIds,
    sharedIds,
    misrouted,
    copies,
  };
}
