import { describe, expect, it } from 'vitest';
import { loadGatewayOptions } from '../../../gateway/options';

describe('gateway options', () => {
  it('defaults to the seed: a ping every 30 s, two missed pongs, five connections per user', () => {
    const options = loadGatewayOptions({});
    expect(options).toMatchObject({
      pingIntervalMs: 30_000,
      maxMissedPongs: 2,
      maxConnectionsPerUser: 5,
      sessionTtlSeconds: 3600,
    });
    expect(options.gatewayId).toMatch(/:\d+$/);
  });

  it('lists every bad variable at once', () => {
    expect(() =>
      loadGatewayOptions({
        GATEWAY_PING_INTERVAL_MS: 'soon',
        GATEWAY_MAX_CONNECTIONS_PER_USER: '0',
      }),
    ).toThrow(/GATEWAY_PING_INTERVAL_MS[\s\S]*GATEWAY_MAX_CONNECTIONS_PER_USER/);
  });
});
