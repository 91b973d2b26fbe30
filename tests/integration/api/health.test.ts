import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startApi, type TestApi } from './fixtures';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

describe('health', () => {
  it('is ready when Postgres, Redis, Kafka and Temporal all answer', async () => {
    const res = await call(api.app, 'GET', '/health/ready');
    expect(res.body).toMatchObject({
      status: 'ok',
      checks: {
        postgres: { status: 'ok' },
        redis: { status: 'ok' },
        kafka: { status: 'ok' },
        temporal: { status: 'ok' },
      },
    });
    expect(res.status).toBe(200);
  });

  it('is not ready (503) and names the failing check when a service is down', async () => {
    const broken = await startApi({ env: { KAFKA_BROKERS: '127.0.0.1:1' } });
    try {
      const res = await call(broken.app, 'GET', '/health/ready');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        status: 'fail',
        checks: { kafka: { status: 'fail', error: 'unreachable' }, postgres: { status: 'ok' } },
      });
      expect((await call(broken.app, 'GET', '/health/live')).status).toBe(200);
    } finally {
      await broken.close();
    }
  });
});
