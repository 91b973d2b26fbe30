/**
 * The load generator's HTTP client for the API: what a well-behaved client does, and no more.
 * Every order is posted with an Idempotency-Key, so a request that failed in a way that leaves
 * its outcome unknown (connection reset while the API restarts, a timeout, a 5xx, a 429) is
 * retried with the same key: the API answers with the order the first attempt created, and
 * "every 202'd order finished" then covers every order the system accepted.
 *
 * Each failed attempt is tallied by cause ("POST /orders 503", "POST /orders ECONNREFUSED"),
 * so a fault's footprint on clients shows in the results.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
  /** Wall time of this one attempt, ms. */
  ms: number;
}

export interface OrderBody {
  items: { product_id: string; quantity: number; price: string }[];
  shipping_address: { street: string; city: string; state: string; zip: string; country: string };
  payment_method: string;
}

export class Tally {
  readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  get total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** Statuses worth another attempt: the request may not have been handled, or was refused for now. */
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as X-Forwarded-For: the API trusts it from loopback, so per-IP limits stay per user. */
  ip?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export class ApiClient {
  readonly errors = new Tally();

  constructor(readonly baseUrl: string) {}

  /** One attempt; throws on a network error or timeout (the cause's code in the message). */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.ip) headers['X-Forwarded-For'] = options.ip;
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const started = performance.now();
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { text };
    }
    return { status: response.status, body, ms };
  }

  /**
   * Repeats a request while it fails retryably, for at most `retryForMs`; the final answer
   * (or undefined if every attempt failed at the network level) and how many attempts it took.
   */
  async withRetries(
    label: string,
    method: string,
    path: string,
    options: RequestOptions,
    retryForMs: number,
  ): Promise<{ response: ApiResponse | undefined; attempts: number }> {
    const giveUpAt = Date.now() + retryForMs;
    let delay = 100;
    for (let attempts = 1; ; attempts++) {
      let response: ApiResponse | undefined;
      try {
        response = await this.request(method, path, options);
        if (!RETRYABLE.has(response.status)) return { response, attempts };
        this.errors.add(`${label} ${response.status}`);
      } catch (err) {
        this.errors.add(`${label} ${networkCode(err)}`);
      }
      if (Date.now() + delay > giveUpAt) return { response, attempts };
      await sleep(delay + randomInt(50));
      delay = Math.min(delay * 2, 2000);
    }
  }
}

/** ECONNREFUSED, ECONNRESET, TimeoutError...: the root cause of a failed fetch. */
export function networkCode(err: unknown): string {
  let current: unknown = err;
  for (let i = 0; i < 5 && current instanceof Error; i++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    if (current.name === 'TimeoutError' || current.name === 'AbortError') return 'timeout';
    current = (current as Error & { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.name : 'error';
}

/** An address from the benchmarking range (RFC 2544), one per simulated customer. */
export function benchIp(): string {
  return `198.${18 + randomInt(2)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export const newIdempotencyKey = (): string => `bench-${randomUUID()}`;
