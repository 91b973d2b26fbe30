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
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import type { Engine } from '../../../src/stack/components';
import { kafkaEngine } from '../../../src/stack/engines/kafka';
import { postgresEngine } from '../../../src/stack/engines/postgres';
import { redisEngine } from '../../../src/stack/engines/redis';
import { temporalEngine, TEMPORAL_UI_PORT } from '../../../src/stack/engines/temporal';
import { KAFKA_LIBS } from '../../../src/stack/install/kafka-dist';
import { STACK_SOURCE_DIR, statePaths } from '../../../src/stack/paths';
import type { StackSettings } from '../../../src/stack/settings';
import { run, which } from '../../../src/stack/shell';

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
    isolatedKafka(settings),
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

/**
 * The launcher's Kafka (same distribution, JVM flags and settings) with its controller on
 * another port. The controller's address goes into the storage format (the quorum's only
 * voter), so the properties are written here, before formatting, not patched afterwards.
 */
function isolatedKafka(settings: StackSettings): Engine {
  const engine = kafkaEngine(settings);
  const dir = settings.paths.kafka;
  const dataDir = path.join(dir, 'data');
  const propertiesFile = path.join(dir, 'server.properties');
  const java = (): string => which('java') ?? '/usr/bin/java';
  const log4j = `-Dlog4j2.configurationFile=${path.join(STACK_SOURCE_DIR, 'kafka', 'log4j2.xml')}`;
  return {
    ...engine,
    ports: [P.kafka, P.kafkaController],
    async prepare() {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(propertiesFile, properties(dataDir));
      if (existsSync(path.join(dataDir, 'meta.properties'))) return;
      await run(java(), [
        log4j,
        '-Djava.awt.headless=true',
        '-cp',
        `${KAFKA_LIBS}/*`,
        'kafka.tools.StorageTool',
        'format',
        '--standalone',
        '--cluster-id',
        clusterId(dir),
        '--config',
        propertiesFile,
      ]);
    },
  };
}

function properties(dataDir: string): string {
  return `# Written by tests/bench/lib/isolated.ts: the launcher's settings, other ports.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${P.kafkaController}
listeners=PLAINTEXT://127.0.0.1:${P.kafka},CONTROLLER://127.0.0.1:${P.kafkaController}
advertised.listeners=PLAINTEXT://127.0.0.1:${P.kafka}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dataDir}
num.partitions=3
default.replication.factor=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
`;
}

function clusterId(dir: string): string {
  const file = path.join(dir, 'cluster-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  let id = randomBytes(16).toString('base64url');
  while (id.startsWith('-')) id = randomBytes(16).toString('base64url');
  writeFileSync(file, `${id}\n`);
  return id;
}
