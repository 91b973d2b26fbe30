/**
 * One delivery attempt, shared by the delivery activity and the API's test ping: check the
 * target again (SSRF), sign, POST, and classify what came back.
 * - 2xx: delivered.
 * - 410 Gone: the receiver says the endpoint is gone for good; the webhook gets disabled.
 * - 429, 5xx, timeouts, network and DNS errors: retryable (429/503 may say when: Retry-After).
 * - anything else (3xx, which is never followed, other 4xx, a refused target): rejected, not
 *   retried.
 */
import type { Config } from '../config';
import { sendWebhook, type SendRequest, type SendResult } from './http-sender';
import { parseRetryAfter } from './retry';
import { signedHeaders } from './signing';
import {
  resolveTarget,
  systemResolver,
  targetPolicyFromConfig,
  TargetRefusedError,
  type Resolver,
  type TargetPolicy,
} from './ssrf';

export const USER_AGENT = 'order-platform-webhooks/1.0';
/** How much of a response body the delivery log keeps. */
export const LOGGED_BODY_CHARS = 2048;

export type AttemptOutcome = 'delivered' | 'retryable' | 'gone' | 'rejected';

export interface AttemptReport {
  outcome: AttemptOutcome;
  responseStatus: number | null;
  /** Truncated to LOGGED_BODY_CHARS. */
  responseBody: string | null;
  latencyMs: number | null;
  error: string | null;
  /** From Retry-After, when the receiver sent one with a retryable status. */
  retryAfterMs?: number;
}

export interface AttemptSettings {
  policy: TargetPolicy;
  timeoutMs: number;
  maxResponseBytes: number;
  resolver?: Resolver;
  send?: (req: SendRequest) => Promise<SendResult>;
}

export function attemptSettingsFromConfig(
  config: Pick<
    Config,
    | 'WEBHOOK_ALLOW_PRIVATE_TARGETS'
    | 'NODE_ENV'
    | 'WEBHOOK_DELIVERY_TIMEOUT_MS'
    | 'WEBHOOK_MAX_RESPONSE_BYTES'
  >,
): AttemptSettings {
  return {
    policy: targetPolicyFromConfig(config),
    timeoutMs: config.WEBHOOK_DELIVERY_TIMEOUT_MS,
    maxResponseBytes: config.WEBHOOK_MAX_RESPONSE_BYTES,
  };
}

export interface AttemptInput {
  url: string;
  secret: string;
  /** `webhook-id`: the same on every attempt of one message. */
  messageId: string;
  body: string;
  now: Date;
}

export function classifyStatus(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  if (status === 429 || status >= 500) return 'retryable';
  return 'rejected';
}

export async function attemptDelivery(
  input: AttemptInput,
  settings: AttemptSettings,
): Promise<AttemptReport> {
  let checked: Awaited<ReturnType<typeof resolveTarget>>;
  try {
    checked = await resolveTarget(input.url, settings.policy, settings.resolver ?? systemResolver);
  } catch (err) {
    if (!(err instanceof TargetRefusedError)) throw err;
    // DNS may come back; an address the guard refuses will not become acceptable by retrying.
    const outcome = err.reason === 'unresolvable' ? 'retryable' : 'rejected';
    return {
      outcome,
      responseStatus: null,
      responseBody: null,
      latencyMs: null,
      error: err.message,
    };
  }
  const result = await (settings.send ?? sendWebhook)({
    url: checked.url,
    target: checked.target,
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...signedHeaders(input.secret, input.messageId, input.now, input.body),
    },
    body: input.body,
    timeoutMs: settings.timeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
  });
  if (result.kind !== 'response') {
    return {
      outcome: 'retryable',
      responseStatus: null,
      responseBody: null,
      latencyMs: result.latencyMs,
      error: `${result.kind}: ${result.message}`,
    };
  }
  const outcome = classifyStatus(result.status);
  const retryAfterMs =
    outcome === 'retryable' ? parseRetryAfter(result.retryAfter, input.now) : undefined;
  return {
    outcome,
    responseStatus: result.status,
    responseBody: result.body.slice(0, LOGGED_BODY_CHARS),
    latencyMs: result.latencyMs,
    error: outcome === 'delivered' ? null : `HTTP ${result.status}`,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}
