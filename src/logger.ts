/**
 * Structured JSON logs (pino). Log ids, not payloads or personal data. Each process creates
 * its root logger once and hands children (with request, order or workflow ids) downwards.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime });
}
