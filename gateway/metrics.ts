/**
 * The gateway's Prometheus series, on the process registry (src/metrics.ts) and exposed at
 * GET /metrics.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export type RefusedStatus = 400 | 401 | 403 | 429 | 503;

export function createGatewayMetrics(registry: Registry, connections: () => number) {
  const gauge = new Gauge({
    name: 'gateway_ws_connections',
    help: 'Open WebSocket connections on this replica',
    registers: [registry],
    collect() {
      this.set(connections());
    },
  });
  return {
    gauge,
    messagesSent: new Counter({
      name: 'gateway_ws_messages_sent_total',
      help: 'Messages sent to clients, by kind (snapshot, replay, live)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    statusChanges: new Counter({
      name: 'gateway_status_changes_received_total',
      help: 'Status changes received from the Redis live channel',
      registers: [registry],
    }),
    drops: new Counter({
      name: 'gateway_ws_drops_total',
      help: 'Connections dropped by the server, or live messages discarded, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    refused: new Counter({
      name: 'gateway_ws_upgrades_refused_total',
      help: 'WebSocket upgrades refused, by HTTP status',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    opened: new Counter({
      name: 'gateway_ws_connections_opened_total',
      help: 'WebSocket connections accepted',
      registers: [registry],
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
