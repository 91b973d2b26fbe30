import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, login, movableClock, newUser, register, startApi, type TestApi } from './fixtures';

let api: TestApi;
const clock = movableClock();
beforeAll(async () => {
  api = await startApi({ clock });
});
afterAll(() => api?.close());

const PROBLEM = 'urn:order-platform:problem:';

describe('register', () => {
  it('creates a user account and never returns the password hash', async () => {
    const email = `New.User-${randomUUID()}@Example.com`;
    const res = await call(api.app, 'POST', '/api/v1/auth/register', {
      body: {
        email,
        password: 'long enough password',
        full_name: 'New User',
        phone: '+1 555 0100',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      email: email.toLowerCase(),
      full_name: 'New User',
      phone: '+1 555 0100',
      role: 'user',
    });
    expect(JSON.stringify(res.body)).not.toContain('scrypt');
    const row = await api.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', email.toLowerCase())
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$3\$/);
  });

  it('refuses a second account with the same email, whatever its case (409)', async () => {
    const { email } = await register(api.app);
    const res = await call(api.app, 'POST', '/api/v1/auth/register', {
      body: { email: email.toUpperCase(), password: 'another password' },
    });
    expect(res.status).toBe(409);
    expect(res.body.type).toBe(`${PROBLEM}email-taken`);
  });

  it('cannot be used to grant itself a role', async () => {
    const res = await call(api.app, 'POST', '/api/v1/auth/register', {
      body: {
        email: `r-${randomUUID()}@example.com`,
        password: 'long enough password',
        role: 'admin',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.role).toBe('user');
  });
});

describe('login', () => {
  it('returns a bearer access token (15 min) and a refresh token (7 days)', async () => {
    const { email, password } = await register(api.app);
    const res = await call(api.app, 'POST', '/api/v1/auth/login', { body: { email, password } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      refresh_expires_in: 604800,
    });
    const me = await call(api.app, 'GET', '/api/v1/orders', {
      token: res.body.access_token as string,
    });
    expect(me.status).toBe(200);
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const { email } = await register(api.app);
    const wrong = await call(api.app, 'POST', '/api/v1/auth/login', {
      body: { email, password: 'not the password' },
    });
    const unknown = await call(api.app, 'POST', '/api/v1/auth/login', {
      body: { email: `nobody-${randomUUID()}@example.com`, password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(wrong.body.type).toBe(`${PROBLEM}invalid-credentials`);
  });

  it('spends a scrypt verification even when the email does not exist', async () => {
    const { email } = await register(api.app);
    const time = async (e: string) => {
      const started = performance.now();
      await call(api.app, 'POST', '/api/v1/auth/login', {
        body: { email: e, password: 'not the password' },
      });
      return performance.now() - started;
    };
    await time(`warm-${randomUUID()}@example.com`); // computes the dummy hash once
    const known = await time(email);
    const unknown = await time(`nobody-${randomUUID()}@example.com`);
    // Both are dominated by one scrypt run (tens of ms); a missing verification would be ~1 ms.
    expect(unknown).toBeGreaterThan(known * 0.4);
  });

  it('refuses a deactivated account like a wrong password', async () => {
    const { email, password, userId } = await register(api.app);
    await api.db
      .updateTable('users')
      .set({ is_active: false })
      .where('user_id', '=', userId)
      .execute();
    const res = await call(api.app, 'POST', '/api/v1/auth/login', { body: { email, password } });
    expect(res.status).toBe(401);
    expect(res.body.type).toBe(`${PROBLEM}invalid-credentials`);
  });
});

describe('token lifetimes (moved clock)', () => {
  it('expires the access token after 15 minutes; the refresh token still renews it', async () => {
    const session = await newUser(api.app);
    clock.advance(14 * 60_000);
    expect((await call(api.app, 'GET', '/api/v1/orders', { token: session.access })).status).toBe(
      200,
    );
    clock.advance(2 * 60_000);
    const expired = await call(api.app, 'GET', '/api/v1/orders', { token: session.access });
    expect(expired.status).toBe(401);
    expect(expired.body.type).toBe(`${PROBLEM}token-expired`);
    const renewed = await call(api.app, 'POST', '/api/v1/auth/refresh', {
      body: { refresh_token: session.refresh },
    });
    expect(renewed.status).toBe(200);
    expect(
      (await call(api.app, 'GET', '/api/v1/orders', { token: renewed.body.access_token as string }))
        .status,
    ).toBe(200);
  });

  it('expires the refresh token after 7 days', async () => {
    const session = await newUser(api.app);
    clock.advance(7 * 24 * 3600_000 + 60_000);
    const res = await call(api.app, 'POST', '/api/v1/auth/refresh', {
      body: { refresh_token: session.refresh },
    });
    expect(res.status).toBe(401);
    expect(res.body.type).toBe(`${PROBLEM}token-expired`);
  });
});

describe('refresh rotation', () => {
  const refresh = (token: string) =>
    call(api.app, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: token } });

  it('issues a new pair and spends the presented refresh token', async () => {
    const session = await newUser(api.app);
    const first = await refresh(session.refresh);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(session.refresh);
    const second = await refresh(first.body.refresh_token as string);
    expect(second.status).toBe(200);
    const rows = await api.db
      .selectFrom('refresh_tokens')
      .select(['spent_at', 'revoked_at'])
      .where('user_id', '=', session.userId)
      .execute();
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.spent_at !== null)).toHaveLength(2);
  });

  it('revokes the whole family when a spent refresh token is presented again', async () => {
    const session = await newUser(api.app);
    const rotated = await refresh(session.refresh);
    const latest = rotated.body.refresh_token as string;
    const replay = await refresh(session.refresh);
    expect(replay.status).toBe(401);
    expect(replay.body.type).toBe(`${PROBLEM}refresh-token-reused`);
    // The legitimate holder of the newest token is logged out too.
    const afterTheft = await refresh(latest);
    expect(afterTheft.status).toBe(401);
    // Other sessions of the same user are other families and keep working.
    const other = await login(api.app, session.email, session.password);
    expect((await refresh(other.refresh)).status).toBe(200);
  });

  it('lets exactly one of two concurrent refreshes with the same token win', async () => {
    const session = await newUser(api.app);
    const results = await Promise.all([refresh(session.refresh), refresh(session.refresh)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses an access token where a refresh token is expected, and garbage', async () => {
    const session = await newUser(api.app);
    expect((await refresh(session.access)).status).toBe(401);
    expect((await refresh('garbage')).status).toBe(401);
    expect((await call(api.app, 'POST', '/api/v1/auth/refresh', { body: {} })).status).toBe(422);
  });
});

describe('logout', () => {
  it('revokes the refresh token family', async () => {
    const session = await newUser(api.app);
    const rotated = await call(api.app, 'POST', '/api/v1/auth/refresh', {
      body: { refresh_token: session.refresh },
    });
    const res = await call(api.app, 'POST', '/api/v1/auth/logout', {
      body: { refresh_token: rotated.body.refresh_token },
    });
    expect(res.status).toBe(204);
    const after = await call(api.app, 'POST', '/api/v1/auth/refresh', {
      body: { refresh_token: rotated.body.refresh_token },
    });
    expect(after.status).toBe(401);
    // Logging out twice is harmless.
    expect(
      (
        await call(api.app, 'POST', '/api/v1/auth/logout', {
          body: { refresh_token: rotated.body.refresh_token },
        })
      ).status,
    ).toBe(204);
  });

  it('refuses a token that is not a refresh token of ours', async () => {
    const session = await newUser(api.app);
    expect(
      (
        await call(api.app, 'POST', '/api/v1/auth/logout', {
          body: { refresh_token: session.access },
        })
      ).status,
    ).toBe(401);
  });
});
