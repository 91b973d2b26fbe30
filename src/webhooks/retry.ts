/**
 * The delivery retry schedule: exponential back-off with jitter. With the defaults (5 s
 * initial, x3, capped at 6 h, 12 attempts, +-20 % jitter) the retries of one delivery span
 * about 22 hours. Tests shrink every number to milliseconds through the environment.
 */
import type { Config } from '../config';

export interface RetrySchedule {
  initialMs: number;
  backoff: number;
  maxIntervalMs: number;
  maxAttempts: number;
  /** 0..1: each delay is scaled by a random factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
}

export function retryScheduleFromConfig(
  config: Pick<
    Config,
    | 'WEBHOOK_RETRY_INITIAL_MS'
    | 'WEBHOOK_RETRY_BACKOFF'
    | 'WEBHOOK_RETRY_MAX_INTERVAL_MS'
    | 'WEBHOOK_RETRY_MAX_ATTEMPTS'
    | 'WEBHOOK_RETRY_JITTER'
  >,
): RetrySchedule {
  return {
    initialMs: config.WEBHOOK_RETRY_INITIAL_MS,
    backoff: config.WEBHOOK_RETRY_BACKOFF,
    maxIntervalMs: config.WEBHOOK_RETRY_MAX_INTERVAL_MS,
    maxAttempts: config.WEBHOOK_RETRY_MAX_ATTEMPTS,
    jitter: config.WEBHOOK_RETRY_JITTER,
  };
}

/** The un-jittered delay after failed attempt `attempt` (1-based). */
export function baseDelayMs(schedule: RetrySchedule, attempt: number): number {
  const raw = schedule.initialMs * schedule.backoff ** Math.max(0, attempt - 1);
  return Math.min(schedule.maxIntervalMs, raw);
}

/** The delay after failed attempt `attempt`, jittered; `random` in [0, 1). */
export function retryDelayMs(
  schedule: RetrySchedule,
  attempt: number,
  random: number = Math.random(),
): number {
  const factor = 1 - schedule.jitter + 2 * schedule.jitter * random;
  return Math.max(1, Math.round(baseDelayMs(schedule, attempt) * factor));
}

/** The longest the retries of one delivery can take, for the activity's schedule-to-close. */
export function retryHorizonMs(schedule: RetrySchedule, attemptTimeoutMs: number): number {
  let total = 0;
  for (let attempt = 1; attempt < schedule.maxAttempts; attempt++) {
    total += baseDelayMs(schedule, attempt) * (1 + schedule.jitter);
  }
  return Math.ceil(total + schedule.maxAttempts * attemptTimeoutMs);
}

/**
 * A Retry-After header (delay-seconds or an HTTP date) as milliseconds from `now`, or
 * undefined when absent or unparseable. Negative dates count as "now".
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
