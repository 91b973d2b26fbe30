/**
 * Who connects (perUser connections each) and whose orders they watch: themselves, or in the
 * fanout layout one customer watched by admins. Tokens are signed with the bench's own keys;
 * RS256 signing is the slow part, so in batches.
 */
import { randomUUID } from 'node:crypto';
import type { generateSigningKeys } from '../../../src/auth/keys';
import { createTokenSigner } from '../../../src/auth/tokens';
import { ISSUER } from './replicas';

export interface Callers {
  /** Token subjects, one per perUser connections. */
  ids: string[];
  tokens: string[];
  /** Watched users: `ids`, or one user in the fanout layout. */
  users: string[];
  /** Index in `users` of what caller `c` watches. */
  watchedBy: (c: number) => number;
}

export async function makeCallers(
  keys: Awaited<ReturnType<typeof generateSigningKeys>>,
  count: number,
  fanout: boolean,
): Promise<Callers> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const signer = createTokenSigner(
    keys,
    { issuer: ISSUER, audience: ISSUER, accessTtlSeconds: 3600, refreshTtlSeconds: 3600 },
    () => new Date(),
  );
  const tokens: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const signed = await Promise.all(
      ids
        .slice(i, i + 500)
        .map((u) => signer.signAccess({ userId: u, role: fanout ? 'admin' : 'user' })),
    );
    tokens.push(...signed.map((s) => s.token));
  }
  return {
    ids,
    tokens,
    users: fanout ? [randomUUID()] : ids,
    watchedBy: fanout ? () => 0 : (c) => c,
  };
}
