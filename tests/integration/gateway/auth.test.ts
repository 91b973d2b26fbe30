/**
 * Who may open /ws/orders/{user_id}: every refusal is an HTTP status on the upgrade response.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeys } from '../../../src/auth/keys';
import type { Db } from '../../../db/client';
import {
  connect,
  mintToken,
  refusal,
  startGateway,
  startJwks,
  testDb,
  type RunningGateway,
} from './fixtures';

let jwks: Awaited<ReturnType<typeof startJwks>>;
let db: Db;
let run: RunningGateway;

beforeAll(async () => {
  jwks = await startJwks();
  db = testDb();
  run = await startGateway(jwks.url, db);
});

afterAll(async () => {
  await run?.stop();
  await jwks?.close();
  await db?.destroy();
});

describe('gateway authentication', () => {
  const user = randomUUID();

  it('refuses an upgrade without a token with 401 and a Bearer challenge', async () => {
    const refused = await refusal(run, user);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(JSON.parse(refused.body)).toMatchObject({ status: 401 });
  });

  it('refuses a token signed by another key with 401', async () => {
    const stranger = await generateSigningKeys();
    const forged = await mintToken({ ...stranger, kid: jwks.keys.kid }, user);
    expect((await refusal(run, user, { token: forged })).status).toBe(401);
  });

  it('refuses a token whose signature was tampered with with 401', async () => {
    const token = await mintToken(jwks.keys, user);
    const [head, body] = token.split('.');
    const otherBody = Buffer.from(JSON.stringify({ sub: randomUUID() })).toString('base64url');
    expect(
      (await refusal(run, user, { token: `${head}.${otherBody}.${token.split('.')[2]}` })).status,
    ).toBe(401);
    expect(body).toBeTruthy();
  });

  it('refuses an expired token with 401', async () => {
    const expired = await mintToken(jwks.keys, user, { ttl: 60, ageSeconds: 3600 });
    const refused = await refusal(run, user, { token: expired });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatch(/expired/);
  });

  it('refuses an HS256 token, even one "signed" with the public key, with 401', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(jwks.keys.jwks.keys[0]));
    const hs256 = await new SignJWT({ role: 'admin', typ: 'access', jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', kid: jwks.keys.kid })
      .setSubject(user)
      .setIssuer('gateway-tests')
      .setAudience('gateway-tests')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(secret);
    expect((await refusal(run, user, { token: hs256 })).status).toBe(401);
  });

  it('accepts a valid token in the Authorization header or in the token parameter', async () => {
    const token = await mintToken(jwks.keys, user);
    const viaHeader = await connect(run, user, { token });
    const viaQuery = await connect(run, user, { token, tokenInQuery: true });
    expect((await viaHeader.next()).type).toMatch(/snapshot|error/);
    expect((await viaQuery.next()).type).toMatch(/snapshot|error/);
    await viaHeader.close();
    await viaQuery.close();
  });

  it("refuses another user's orders with 403", async () => {
    const token = await mintToken(jwks.keys, user);
    expect((await refusal(run, randomUUID(), { token })).status).toBe(403);
  });

  it('lets an admin watch any user', async () => {
    const admin = await mintToken(jwks.keys, randomUUID(), { role: 'admin' });
    const client = await connect(run, user, { token: admin });
    await client.close();
  });

  it('refuses a path that is not a user id with 400, and a malformed last_event_id with 400', async () => {
    const token = await mintToken(jwks.keys, user);
    expect((await refusal(run, 'everyone', { token })).status).toBe(400);
    expect((await refusal(run, user, { token, lastEventId: 'yesterday' })).status).toBe(400);
  });

  it('refuses a browser from an Origin outside the allow-list with 403, and accepts allowed ones', async () => {
    const token = await mintToken(jwks.keys, user);
    expect((await refusal(run, user, { token, origin: 'http://evil.example' })).status).toBe(403);
    const browser = await connect(run, user, { token, origin: 'http://allowed.example' });
    await browser.close();
  });
});
