/**
 * An isolated stack for benches (`--isolated`): its own Postgres, Redis, Kafka and Temporal
 * and its own apps, on ports of its own (below), with its state in `.stack/bench/`. A bench
 * run then neither stops nor is stopped by the development stack or a `npm test` on the
 * default ports, and the chaos run can restart its engines without touching anyone else's.
 *
 * Postgres and Redis are the launcher's own engine modules pointed at other ports; Kafka and
 * Temporal are the launcher's too, with the two ports those modules fix (Kafka's controller
 * listener, the Temporal UI) moved.
 */
import { loadConfig } from '../../../src/config';
import type { Engine } from '../../../src/stack/components';
import { kafkaEngine } from '../../../src/stack/engines/kafka';
import { postgresEngine } from '../../../src/stack/engines/postgres';
import { redisEngine } from '../../../src/stack/engines/redis';
import { temporalEngine, TEMPORAL_UI_PORT } from '../../../src/stack/engines/temporal';
import { statePaths } from '../../../src/stack/paths';
import type { StackSettings } from '../../../src/stack/settings';

export const ISOLATED_PORTS = {
  postgres: 15432,
  redis: 16379,
  kafka: 19092,
  kafkaController: 19093,
  temporal: 17233,
  temporalUi: 18233,
  api: 18000,
  gateway: 18001,
  workerMetrics: 19464,
  dispatcherMetrics: 19465,
  workerSdkMetrics: 19466,
} as const;

const P = ISOLATED_PORTS;

/** The addresses every process of the isolated stack is given. */
export const ISOLATED_ENV: Readonly<Record<string, string>> = {
  STATE_DIR: '.stack/bench',
  DATABASE_URL: `postgres://orders:orders@127.0.0.1:${P.postgres}/orders_db`,
  REDIS_URL: `redis://127.0.0.1:${P.redis}`,
  KAFKA_BROKERS: `127.0.0.1:${P.kafka}`,
  TEMPORAL_ADDRESS: `127.0.0.1:${P.temporal}`,
  API_PORT: String(P.api),
  GATEWAY_PORT: String(P.gateway),
  JWKS_URL: `http://127.0.0.1:${P.api}/.well-known/jwks.json`,
  WORKER_METRICS_PORT: String(P.workerMetrics),
  WORKER_SDK_METRICS_PORT: String(P.workerSdkMetrics),
  DISPATCHER_METRICS_PORT: String(P.dispatcherMetrics),
};

/** Settings in which every engine is local (started and stopped by the bench). */
export function isolatedSettings(): StackSettings {
  const config = loadConfig({ ...process.env, ...ISOLATED_ENV });
  return {
    config,
    paths: statePaths(config.STATE_DIR),
    external: { postgres: false, redis: false, kafka: false, temporal: false },
  };
}

export function isolatedEngines(settings: StackSettings): Engine[] {
  return [
    postgresEngine(settings),
    redisEngine(settings),
    // The controller's address goes into the storage format, so it is set before formatting.
    kafkaEngine(settings, P.kafkaController),
    isolatedTemporal(settings),
  ];
}

/** The launcher's Temporal with its Web UI on another port. */
function isolatedTemporal(settings: StackSettings): Engine {
  const engine = temporalEngine(settings);
  return {
    ...engine,
    ports: [P.temporal, P.temporalUi],
    daemon() {
      const spec = engine.daemon();
      const ui = spec.args.indexOf('--ui-port');
      const args = [...spec.args];
      if (ui >= 0 && args[ui + 1] === String(TEMPORAL_UI_PORT)) args[ui + 1] = String(P.temporalUi);
      return { ...spec, args };
    },
  };
}
