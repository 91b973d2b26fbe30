/**
 * The webhook routes in process (`app.request()`), on the real Postgres, with the API's
 * problem+json error handler and a stand-in for its auth middleware (header `x-test-user`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { webhookRoutes } from '../../../api/routes/webhooks';
import type { AppEnv, AuthedEnv } from '../../../api/env';
import { errorHandler, UnauthorizedError } from '../../../api/errors';
import { createDb, type Db } from '../../../db/client';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { attemptSettingsFromConfig } from '../../../src/webhooks/attempt';
import { createSecretBox } from '../../../src/webhooks/secret-box';
import { startReceiver, type Receiver } from './fixtures';

const logger = createLogger('webhook-api-test', 'silent');
const secrets = createSecretBox(randomBytes(32));
let db: Db;
let receiver: Receiver;

const testAuth = createMiddleware<AppEnv & AuthedEnv>(async (c, next) => {
  const userId = c.req.header('x-test-user');
  if (!userId) throw new UnauthorizedError('missing bearer token', 'missing');
  c.set('auth', {
    userId,
    role: c.req.header('x-test-role') === 'admin' ? 'admin' : 'user',
    tokenId: 'test',
  });
  await next();
});

function makeApp(env: Record<string, string>) {
  const config = loadConfig({ ...process.env, ...env });
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('log', logger);
    await next();
  });
  app.onError(errorHandler(logger));
  app.route(
    '/',
    webhookRoutes({ db, secrets, attempt: attemptSettingsFromConfig(config), auth: testAuth }),
  );
  return app;
}

let app: ReturnType<typeof makeApp>;
let strictApp: ReturnType<typeof makeApp>;
let productionApp: ReturnType<typeof makeApp>;

beforeAll(async () => {
  db = createDb(loadConfig());
  receiver = await startReceiver();
  app = makeApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
  strictApp = makeApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
  productionApp = makeApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false', NODE_ENV: 'production' });
});

afterAll(async () => {
  await receiver?.close();
  await db?.destroy();
});

interface Json {
  [key: string]: unknown;
}

async function call(
  target: ReturnType<typeof makeApp>,
  method: string,
  path: string,
  user: string | null,
  body?: unknown,
): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await target.request(path, {
    method,
    headers: {
      ...(user ? { 'x-test-user': user } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {}, headers: res.headers };
}

async function registered(user: string, path = '/api-hook', eventTypes = ['order.shipped']) {
  const res = await call(app, 'POST', '/api/v1/webhooks', user, {
    url: receiver.url(path),
    event_types: eventTypes,
  });
  expect(res.status).toBe(201);
  return res.json as { webhook_id: string; secret: string } & Json;
}

describe('webhook routes', () => {
  it('registers a webhook and returns its secret once, stored encrypted', async () => {
    const user = randomUUID();
    const res = await call(app, 'POST', '/api/v1/webhooks', user, {
      url: receiver.url('/a'),
      event_types: ['order.shipped', 'order.delivered'],
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      url: receiver.url('/a'),
      event_types: ['order.shipped', 'order.delivered'],
      is_active: true,
      disabled_reason: null,
    });
    const secret = res.json.secret as string;
    expect(secret).toMatch(/^whsec_/);
    expect(res.headers.get('location')).toBe(`/api/v1/webhooks/${res.json.webhook_id as string}`);

    const row = await db
      .selectFrom('webhooks')
      .select('secret')
      .where('webhook_id', '=', res.json.webhook_id as string)
      .executeTakeFirstOrThrow();
    expect(row.secret).not.toContain(secret.slice(6));
    expect(secrets.decrypt(row.secret, res.json.webhook_id as string)).toBe(secret);

    const list = await call(app, 'GET', '/api/v1/webhooks', user);
    expect(list.status).toBe(200);
    expect(list.json.data).toHaveLength(1);
    expect(JSON.stringify(list.json)).not.toContain(secret);
  });

  it('keeps a secret the caller brings, and refuses one that is not whsec_', async () => {
    const user = randomUUID();
    const own = 'whsec_' + randomBytes(32).toString('base64');
    const ok = await call(app, 'POST', '/api/v1/webhooks', user, {
      url: receiver.url('/own'),
      event_types: ['*'],
      secret: own,
    });
    expect(ok.json.secret).toBe(own);
    const bad = await call(app, 'POST', '/api/v1/webhooks', user, {
      url: receiver.url('/own'),
      event_types: ['*'],
      secret: 'hunter2',
    });
    expect(bad.status).toBe(422);
    expect(bad.json.errors).toEqual([expect.objectContaining({ path: 'secret' })]);
  });

  it('validates event types', async () => {
    const user = randomUUID();
    for (const event_types of [[], ['order.exploded'], 'order.created']) {
      const res = await call(app, 'POST', '/api/v1/webhooks', user, {
        url: receiver.url('/x'),
        event_types,
      });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('refuses loopback and private targets unless allowed (SSRF)', async () => {
    const user = randomUUID();
    for (const url of [
      receiver.url('/x'),
      'http://localhost:9/x',
      'http://[::1]/x',
      'http://10.0.0.1/x',
      'http://169.254.169.254/latest/meta-data',
      'http://2130706433/',
    ]) {
      const res = await call(strictApp, 'POST', '/api/v1/webhooks', user, {
        url,
        event_types: ['*'],
      });
      expect(res.status, url).toBe(422);
      expect(res.json.errors).toEqual([expect.objectContaining({ path: 'url' })]);
    }
    expect(await call(strictApp, 'GET', '/api/v1/webhooks', user)).toMatchObject({
      json: { data: [] },
    });
  });

  it('requires https in production', async () => {
    const res = await call(productionApp, 'POST', '/api/v1/webhooks', randomUUID(), {
      url: 'http://example.com/hook',
      event_types: ['*'],
    });
    expect(res.status).toBe(422);
    expect(res.json.detail).toMatch(/https/);
  });

  it("hides other users' webhooks", async () => {
    const owner = randomUUID();
    const { webhook_id } = await registered(owner);
    const stranger = randomUUID();
    expect((await call(app, 'GET', `/api/v1/webhooks/${webhook_id}`, stranger)).status).toBe(404);
    expect(
      (await call(app, 'PATCH', `/api/v1/webhooks/${webhook_id}`, stranger, { is_active: false }))
        .status,
    ).toBe(404);
    expect((await call(app, 'DELETE', `/api/v1/webhooks/${webhook_id}`, stranger)).status).toBe(
      404,
    );
    expect(
      (await call(app, 'GET', `/api/v1/webhooks/${webhook_id}/deliveries`, stranger)).status,
    ).toBe(404);
    expect((await call(app, 'POST', `/api/v1/webhooks/${webhook_id}/test`, stranger)).status).toBe(
      404,
    );
    expect((await call(app, 'GET', '/api/v1/webhooks', stranger)).json.data).toEqual([]);
  });

  it('changes event types, deactivates and re-activates (clearing the reason)', async () => {
    const user = randomUUID();
    const { webhook_id } = await registered(user);
    const changed = await call(app, 'PATCH', `/api/v1/webhooks/${webhook_id}`, user, {
      event_types: ['*'],
    });
    expect(changed).toMatchObject({ status: 200, json: { event_types: ['*'] } });
    expect(changed.json.secret).toBeUndefined();

    await db
      .updateTable('webhooks')
      .set({
        is_active: false,
        disabled_reason: 'the endpoint answered 410 Gone',
        disabled_at: new Date(),
      })
      .where('webhook_id', '=', webhook_id)
      .execute();
    expect((await call(app, 'GET', `/api/v1/webhooks/${webhook_id}`, user)).json).toMatchObject({
      is_active: false,
      disabled_reason: 'the endpoint answered 410 Gone',
    });
    const back = await call(app, 'PATCH', `/api/v1/webhooks/${webhook_id}`, user, {
      is_active: true,
    });
    expect(back.json).toMatchObject({ is_active: true, disabled_reason: null, disabled_at: null });

    expect((await call(app, 'PATCH', `/api/v1/webhooks/${webhook_id}`, user, {})).status).toBe(422);
  });

  it('deletes a webhook', async () => {
    const user = randomUUID();
    const { webhook_id } = await registered(user);
    expect((await call(app, 'DELETE', `/api/v1/webhooks/${webhook_id}`, user)).status).toBe(204);
    expect((await call(app, 'GET', `/api/v1/webhooks/${webhook_id}`, user)).status).toBe(404);
  });

  it('sends a signed ping now, logs it, and signs with a rotated secret afterwards', async () => {
    const user = randomUUID();
    const { webhook_id, secret } = await registered(user, '/ping');
    const ping = await call(app, 'POST', `/api/v1/webhooks/${webhook_id}/test`, user);
    expect(ping).toMatchObject({
      status: 200,
      json: { delivered: true, response_status: 200, error: null },
    });
    const [hit] = receiver.at('/ping');
    expect(
      new Webhook(secret).verify(hit!.body, hit!.headers as Record<string, string>),
    ).toMatchObject({
      type: 'webhook.ping',
      data: { webhook_id },
    });

    const rotated = await call(app, 'PATCH', `/api/v1/webhooks/${webhook_id}`, user, {
      rotate_secret: true,
    });
    const fresh = rotated.json.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);
    await call(app, 'POST', `/api/v1/webhooks/${webhook_id}/test`, user);
    const second = receiver.at('/ping')[1]!;
    expect(() =>
      new Webhook(fresh).verify(second.body, second.headers as Record<string, string>),
    ).not.toThrow();
    expect(() =>
      new Webhook(secret).verify(second.body, second.headers as Record<string, string>),
    ).toThrow();
  });

  it('reports a failed ping without retrying it', async () => {
    receiver.on('/ping-fails', () => ({ status: 503, body: 'maintenance' }));
    const user = randomUUID();
    const { webhook_id } = await registered(user, '/ping-fails');
    const ping = await call(app, 'POST', `/api/v1/webhooks/${webhook_id}/test`, user);
    expect(ping.json).toMatchObject({ delivered: false, response_status: 503, error: 'HTTP 503' });
    expect(receiver.at('/ping-fails')).toHaveLength(1);
  });

  it('lists delivery attempts newest first, a page at a time', async () => {
    const user = randomUUID();
    const { webhook_id } = await registered(user, '/log');
    for (let i = 0; i < 3; i++)
      await call(app, 'POST', `/api/v1/webhooks/${webhook_id}/test`, user);

    const first = await call(app, 'GET', `/api/v1/webhooks/${webhook_id}/deliveries?limit=2`, user);
    expect(first.status).toBe(200);
    const page1 = first.json.data as {
      created_at: string;
      event_type: string;
      attempt: number;
      status: string;
    }[];
    expect(page1).toHaveLength(2);
    expect(page1[0]).toMatchObject({ event_type: 'webhook.ping', attempt: 1, status: 'succeeded' });
    expect(page1[0]!.created_at >= page1[1]!.created_at).toBe(true);

    const cursor = first.json.next_cursor as string;
    const second = await call(
      app,
      'GET',
      `/api/v1/webhooks/${webhook_id}/deliveries?limit=2&cursor=${cursor}`,
      user,
    );
    expect(second.json.data).toHaveLength(1);
    expect(second.json.next_cursor).toBeNull();

    expect(
      (await call(app, 'GET', `/api/v1/webhooks/${webhook_id}/deliveries?cursor=garbage`, user))
        .status,
    ).toBe(422);
  });

  it('requires authentication', async () => {
    const res = await call(app, 'GET', '/api/v1/webhooks', null);
    expect(res.status).toBe(401);
  });

  it('answers 400 for an id that is not a uuid', async () => {
    expect((await call(app, 'GET', '/api/v1/webhooks/not-a-uuid', randomUUID())).status).toBe(400);
  });
});
