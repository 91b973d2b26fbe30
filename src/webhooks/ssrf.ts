/**
 * The SSRF guard, used at registration and again before every delivery: the URL must be
 * http(s) (https only in production) without credentials, and every address its host resolves
 * to must be public (src/webhooks/ip-ranges.ts) unless private targets are allowed. The
 * delivery then connects to the address checked here, not to a second lookup's answer, so a
 * DNS answer that changes between check and connect (rebinding) cannot redirect it.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Config } from '../config';
import { classifyAddress, type AddressClass } from './ip-ranges';

export const MAX_URL_LENGTH = 500;

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: loopback, private ranges... are allowed (development). */
  allowPrivate: boolean;
  /** NODE_ENV=production: only https. */
  requireHttps: boolean;
}

export function targetPolicyFromConfig(
  config: Pick<Config, 'WEBHOOK_ALLOW_PRIVATE_TARGETS' | 'NODE_ENV'>,
): TargetPolicy {
  return {
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    requireHttps: config.NODE_ENV === 'production',
  };
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (dns.lookup: /etc/hosts included). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export type RefusalReason =
  'invalid-url' | 'scheme' | 'credentials' | 'unresolvable' | AddressClass;

/** The target is not allowed; the message is safe to show to the webhook's owner. */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
  constructor(
    message: string,
    readonly reason: RefusalReason,
  ) {
    super(message);
  }
}

/** Static checks of a URL (no DNS): parseable, http(s), no credentials, not too long. */
export function parseTargetUrl(raw: string, policy: TargetPolicy): URL {
  if (raw.length > MAX_URL_LENGTH) {
    throw new TargetRefusedError(`url is longer than ${MAX_URL_LENGTH} characters`, 'invalid-url');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefusedError('url is not a valid absolute URL', 'invalid-url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TargetRefusedError('url must use https', 'scheme');
  }
  if (policy.requireHttps && url.protocol !== 'https:') {
    throw new TargetRefusedError('url must use https', 'scheme');
  }
  if (url.username || url.password) {
    throw new TargetRefusedError('url must not contain credentials', 'credentials');
  }
  if (!url.hostname) throw new TargetRefusedError('url has no host', 'invalid-url');
  return url;
}

/** The host of a URL as a resolver or IP parser wants it: IPv6 literals without brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function refuseUnlessPublic(address: string, host: string, policy: TargetPolicy): void {
  if (policy.allowPrivate) return;
  const cls = classifyAddress(address);
  if (cls !== 'public') {
    const via = host === address ? '' : ` (${host} resolves to it)`;
    throw new TargetRefusedError(`target address ${address} is ${cls}${via}`, cls);
  }
}

/**
 * Checks a URL and resolves its host; returns the address to connect to. Every resolved
 * address must pass, not just the first: a name with one public and one private answer is
 * refused, since the client's choice between them is not ours.
 */
export async function resolveTarget(
  raw: string,
  policy: TargetPolicy,
  resolver: Resolver = systemResolver,
): Promise<{ url: URL; target: ResolvedAddress }> {
  const url = parseTargetUrl(raw, policy);
  const host = urlHost(url);
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolver(host);
    } catch {
      throw new TargetRefusedError(`host ${host} does not resolve`, 'unresolvable');
    }
  }
  if (addresses.length === 0)
    throw new TargetRefusedError(`host ${host} does not resolve`, 'unresolvable');
  for (const a of addresses) refuseUnlessPublic(a.address, host, policy);
  return { url, target: addresses[0]! };
}
