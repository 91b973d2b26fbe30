/**
 * The client's address, for per-IP rate limits. Forwarded headers are trusted only from a
 * peer on a loopback or private network (nginx, a load balancer): from anyone else they are
 * spoofable and ignored. Of X-Forwarded-For the right-most entry is used, the one our own
 * proxy appended; entries further left were written by the client. In process (tests call
 * `app.request()`) there is no socket and the headers are taken as given.
 */
import { isIP } from 'node:net';
import type { Context } from 'hono';
import type { AppEnv } from './env';

const PRIVATE = [
  /^127\./,
  /^10\./,
  /^192\.168\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^::1$/,
  /^f[cd][0-9a-f]{2}:/i,
  /^::ffff:(127|10)\./,
  /^::ffff:192\.168\./,
  /^::ffff:172\.(1[6-9]|2\d|3[01])\./,
];

const isTrustedProxy = (address: string) => PRIVATE.some((re) => re.test(address));

function forwarded(c: Context<AppEnv>): string | undefined {
  const xff = c.req.header('x-forwarded-for');
  const last = xff?.split(',').pop()?.trim();
  const candidate = last || c.req.header('x-real-ip')?.trim();
  return candidate && isIP(candidate) ? candidate : undefined;
}

export function clientIp(c: Context<AppEnv>): string {
  const peer = c.env?.incoming?.socket.remoteAddress;
  if (peer === undefined) return forwarded(c) ?? 'unknown';
  return isTrustedProxy(peer) ? (forwarded(c) ?? peer) : peer;
}
