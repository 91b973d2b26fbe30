/** Configuration: defaults that start a local stack, every problem listed at once, docs complete. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, loadConfig } from '../../../src/config';

describe('configuration', () => {
  it('starts with local defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://orders:orders@127.0.0.1:5432/orders_db');
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.TEMPORAL_TASK_QUEUE).toBe('orders');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses lists, booleans and numbers from strings', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'a:9092, b:9092',
      KAFKA_SSL: 'true',
      API_PORT: '9000',
    });
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9092']);
    expect(config.KAFKA_SSL).toBe(true);
    expect(config.API_PORT).toBe(9000);
  });

  it('reports every bad variable in one error', () => {
    expect(() =>
      loadConfig({
        API_PORT: 'eighty',
        LOG_LEVEL: 'loud',
        SIM_PAYMENT_TRANSIENT_FAILURE_RATE: '2',
      }),
    ).toThrow(
      /API_PORT[\s\S]*LOG_LEVEL[\s\S]*SIM_PAYMENT_TRANSIENT_FAILURE_RATE|LOG_LEVEL[\s\S]*API_PORT/,
    );
  });

  it('documents every variable in .env.example', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(CONFIG_KEYS.filter((key) => !documented.has(key))).toEqual([]);
  });
});
