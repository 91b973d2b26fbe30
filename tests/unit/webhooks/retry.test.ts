import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import {
  baseDelayMs,
  parseRetryAfter,
  retryDelayMs,
  retryHorizonMs,
  retryScheduleFromConfig,
} from '../../../src/webhooks/retry';
import { classifyStatus } from '../../../src/webhooks/attempt';

const defaults = retryScheduleFromConfig(loadConfig({}));

describe('retry schedule', () => {
  it('backs off exponentially up to the longest interval', () => {
    expect(baseDelayMs(defaults, 1)).toBe(5_000);
    expect(baseDelayMs(defaults, 2)).toBe(15_000);
    expect(baseDelayMs(defaults, 3)).toBe(45_000);
    expect(baseDelayMs(defaults, 20)).toBe(6 * 3600 * 1000);
  });

  it('spans about a day with the defaults', () => {
    let total = 0;
    for (let a = 1; a < defaults.maxAttempts; a++) total += baseDelayMs(defaults, a);
    expect(total / 3600_000).toBeGreaterThan(18);
    expect(total / 3600_000).toBeLessThan(30);
    expect(retryHorizonMs(defaults, 10_000)).toBeGreaterThan(total);
  });

  it('jitters within the configured ratio', () => {
    expect(retryDelayMs(defaults, 1, 0)).toBe(4_000);
    expect(retryDelayMs(defaults, 1, 0.5)).toBe(5_000);
    expect(retryDelayMs(defaults, 1, 0.999999)).toBe(6_000);
    const seen = new Set(Array.from({ length: 20 }, () => retryDelayMs(defaults, 3)));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-11-26T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('response classification', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [301, 'rejected'],
    [400, 'rejected'],
    [401, 'rejected'],
    [404, 'rejected'],
    [410, 'gone'],
    [429, 'retryable'],
    [500, 'retryable'],
    [503, 'retryable'],
  ])('%i is %s', (status, outcome) => {
    expect(classifyStatus(status)).toBe(outcome);
  });
});
