/**
 * Accounts and sessions. A session is a family of refresh tokens: each refresh spends the
 * presented token and issues the next one of the same family. Presenting a spent token again
 * means two parties hold it (one of them a thief), so the whole family is revoked and both must
 * log in again (RFC 9700 4.14.2). Logout revokes the family. Login costs one scrypt
 * verification whether or not the email exists, so timing does not reveal accounts.
 */
import { randomUUID } from 'node:crypto';
import type { z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import type { Db } from '../../db/client';
import type { Role } from '../../src/auth/claims';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../src/auth/password';
import { TokenError, type TokenSigner, type TokenVerifier } from '../../src/auth/tokens';
import type { Logger } from '../../src/logger';
import type { Clock } from '../deps';
import {
  EmailTakenError,
  InvalidCredentialsError,
  RefreshTokenReusedError,
  UnauthorizedError,
} from '../errors';
import type { RegisterBody, TokenPairSchema, UserSchema } from '../schemas';

type TokenPair = z.infer<typeof TokenPairSchema>;
type UserView = z.infer<typeof UserSchema>;

interface Deps {
  db: Db;
  signer: TokenSigner;
  verifier: TokenVerifier;
  clock: Clock;
  logger: Logger;
  refreshTtlSeconds: number;
}

type RotateOutcome =
  | { kind: 'rotated'; userId: string; role: Role; tokenId: string; familyId: string }
  | { kind: 'invalid' }
  | { kind: 'reused'; familyId: string };

export function createAuthService({
  db,
  signer,
  verifier,
  clock,
  logger,
  refreshTtlSeconds,
}: Deps) {
  async function issuePair(
    user: { userId: string; role: Role },
    tokenId: string,
    familyId: string,
  ): Promise<TokenPair> {
    const [access, refresh] = await Promise.all([
      signer.signAccess(user),
      signer.signRefresh({ userId: user.userId, tokenId, familyId }),
    ]);
    return {
      access_token: access.token,
      refresh_token: refresh.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      refresh_expires_in: refreshTtlSeconds,
    };
  }

  const expiresAt = () => new Date(clock.now().getTime() + refreshTtlSeconds * 1000);

  async function verifyRefresh(token: string) {
    try {
      return await verifier.verifyRefresh(token);
    } catch (err) {
      if (err instanceof TokenError) {
        throw err.reason === 'expired'
          ? new UnauthorizedError('refresh token expired', 'expired')
          : new UnauthorizedError('refresh token invalid');
      }
      throw err;
    }
  }

  /**
   * Rotation and revocation of one family are serialised by a transaction-scoped advisory lock
   * on the family id: without it a rotation racing a revocation could insert a successor the
   * revocation never saw, and the stolen family would live on.
   */
  async function lockFamily(trx: Db, familyId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${familyId}, 0))`.execute(trx);
  }

  async function revokeFamily(trx: Db, familyId: string, at: Date): Promise<void> {
    await trx
      .updateTable('refresh_tokens')
      .set({ revoked_at: at })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  return {
    async register(body: z.infer<typeof RegisterBody>): Promise<UserView> {
      const password_hash = await hashPassword(body.password);
      const user = await db
        .insertInto('users')
        .values({
          email: body.email,
          password_hash,
          full_name: body.full_name ?? null,
          phone: body.phone ?? null,
          role: 'user',
        })
        .onConflict((oc) => oc.column('email').doNothing())
        .returning(['user_id', 'email', 'full_name', 'phone', 'role', 'created_at'])
        .executeTakeFirst();
      if (!user) throw new EmailTakenError('choose another email or log in');
      return { ...user, created_at: user.created_at.toISOString() };
    },

    async login(email: string, password: string): Promise<TokenPair> {
      const user = await db
        .selectFrom('users')
        .select(['user_id', 'role', 'password_hash', 'is_active'])
        .where('email', '=', email)
        .executeTakeFirst();
      const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
      if (!user || !ok || !user.is_active) throw new InvalidCredentialsError('');
      const tokenId = randomUUID();
      const familyId = randomUUID();
      await db
        .insertInto('refresh_tokens')
        .values({
          token_id: tokenId,
          user_id: user.user_id,
          family_id: familyId,
          expires_at: expiresAt(),
        })
        .execute();
      return issuePair({ userId: user.user_id, role: user.role }, tokenId, familyId);
    },

    async refresh(token: string): Promise<TokenPair> {
      const claims = await verifyRefresh(token);
      const now = clock.now();
      const outcome = await db.transaction().execute(async (trx): Promise<RotateOutcome> => {
        await lockFamily(trx, claims.fam);
        const row = await trx
          .selectFrom('refresh_tokens')
          .innerJoin('users', 'users.user_id', 'refresh_tokens.user_id')
          .select([
            'refresh_tokens.user_id',
            'refresh_tokens.family_id',
            'refresh_tokens.expires_at',
            'refresh_tokens.spent_at',
            'refresh_tokens.revoked_at',
            'users.role',
            'users.is_active',
          ])
          .where('refresh_tokens.token_id', '=', claims.jti)
          .forUpdate('refresh_tokens')
          .executeTakeFirst();
        if (!row || row.user_id !== claims.sub || row.family_id !== claims.fam)
          return { kind: 'invalid' };
        if (row.revoked_at || !row.is_active || row.expires_at <= now) return { kind: 'invalid' };
        if (row.spent_at) {
          await revokeFamily(trx, row.family_id, now);
          return { kind: 'reused', familyId: row.family_id };
        }
        const next = randomUUID();
        await trx
          .updateTable('refresh_tokens')
          .set({ spent_at: now })
          .where('token_id', '=', claims.jti)
          .execute();
        await trx
          .insertInto('refresh_tokens')
          .values({
            token_id: next,
            user_id: row.user_id,
            family_id: row.family_id,
            expires_at: expiresAt(),
          })
          .execute();
        return {
          kind: 'rotated',
          userId: row.user_id,
          role: row.role,
          tokenId: next,
          familyId: row.family_id,
        };
      });
      if (outcome.kind === 'reused') {
        logger.warn(
          { family_id: outcome.familyId, user_id: claims.sub },
          'refresh token reused: family revoked',
        );
        throw new RefreshTokenReusedError('log in again');
      }
      if (outcome.kind === 'invalid')
        throw new UnauthorizedError('refresh token revoked or unknown');
      return issuePair(
        { userId: outcome.userId, role: outcome.role },
        outcome.tokenId,
        outcome.familyId,
      );
    },

    async logout(token: string): Promise<void> {
      const claims = await verifyRefresh(token);
      const row = await db
        .selectFrom('refresh_tokens')
        .select(['user_id', 'family_id'])
        .where('token_id', '=', claims.jti)
        .executeTakeFirst();
      if (!row || row.user_id !== claims.sub) throw new UnauthorizedError('refresh token unknown');
      await db.transaction().execute(async (trx) => {
        await lockFamily(trx, row.family_id);
        await revokeFamily(trx, row.family_id, clock.now());
      });
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
