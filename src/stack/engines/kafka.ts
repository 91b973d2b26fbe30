/**
 * Apache Kafka 4.3.1: one broker in KRaft mode (it is its own controller, no ZooKeeper),
 * state in `<state>/kafka`.
 *
 * - server.properties is written from here on every start, so the settings live in code
 *   and a change applies at the next start; the log directories are formatted once
 *   (`kafka.tools.StorageTool format --standalone`, a one-voter dynamic quorum) with a
 *   cluster id kept beside them.
 * - Listeners on 127.0.0.1 only: clients on 9092, the controller quorum on 9093.
 * - Topics are never created by accident: auto-creation is off, so a producer writing to a
 *   misspelt topic fails loudly instead of creating it. The launcher creates the real ones.
 * - Internal topics (consumer offsets, transactions, share groups) get replication 1, the
 *   only factor one broker can satisfy.
 * - Heap 512 MB to 1 GB: ample for development traffic on a 2-core machine, and the broker
 *   then settles around the figure measured in docs/stack.md.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../components';
import { ensureKafkaDistribution, KAFKA_LIBS } from '../install/kafka-dist';
import { withKafkaAdmin } from '../kafka-admin';
import { STACK_SOURCE_DIR } from '../paths';
import { withTimeout } from '../readiness';
import { addressPort, type StackSettings } from '../settings';
import { run, which } from '../shell';

const CONTROLLER_PORT = 9093;
const LOG4J_CONFIG = path.join(STACK_SOURCE_DIR, 'kafka', 'log4j2.xml');
const HEAP = ['-Xms512m', '-Xmx1g'];

/** `controllerPort`: another one lets a second broker (the bench's isolated stack) run beside. */
export function kafkaEngine(settings: StackSettings, controllerPort = CONTROLLER_PORT): Engine {
  const port = addressPort(settings.config.KAFKA_BROKERS[0] ?? '127.0.0.1:9092', 9092);
  const dir = settings.paths.kafka;
  const dataDir = path.join(dir, 'data');
  const propertiesFile = path.join(dir, 'server.properties');
  const java = (): string => which('java') ?? '/usr/bin/java';
  const classpath = `${KAFKA_LIBS}/*`;
  const jvmFlags = [`-Dlog4j2.configurationFile=${LOG4J_CONFIG}`, '-Djava.awt.headless=true'];

  return {
    name: 'kafka',
    external: settings.external.kafka,
    address: `127.0.0.1:${port}`,
    marker: 'kafka.Kafka',
    // SIGTERM triggers a controlled shutdown: partitions closed, logs flushed.
    stop: { signal: 'SIGTERM', timeoutMs: 30_000 },
    ports: [port, controllerPort],
    readyTimeoutMs: 90_000,
    probe: () =>
      withTimeout(
        withKafkaAdmin(
          settings.config,
          async (admin) => (await admin.describeCluster()).brokers.length > 0,
        ),
        5000,
        'kafka metadata',
      ),

    async install() {
      await ensureKafkaDistribution();
    },

    async prepare() {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(propertiesFile, serverProperties(port, controllerPort, dataDir));
      if (existsSync(path.join(dataDir, 'meta.properties'))) return;
      await run(java(), [
        ...jvmFlags,
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        '--standalone',
        '--cluster-id',
        clusterId(dir),
        '--config',
        propertiesFile,
      ]);
    },

    daemon() {
      return {
        name: 'kafka',
        command: java(),
        args: [
          ...HEAP,
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          ...jvmFlags,
          '-cp',
          classpath,
          'kafka.Kafka',
          propertiesFile,
        ],
        cwd: dir,
      };
    },
  };
}

function serverProperties(port: number, controllerPort: number, dataDir: string): string {
  return `# Written by src/stack/engines/kafka.ts at every start: edit that file, not this one.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
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
# A lone local consumer should not wait three seconds for company before it gets partitions.
group.initial.rebalance.delay.ms=0
`;
}

/**
 * The cluster id the storage is formatted with: 16 random bytes, base64url without padding,
 * the same form as Kafka's own `random-uuid` (generated here to save a JVM start). Like
 * Kafka, it never starts with '-', which a command line would take for an option.
 */
function clusterId(dir: string): string {
  const file = path.join(dir, 'cluster-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  let id = randomBytes(16).toString('base64url');
  while (id.startsWith('-')) id = randomBytes(16).toString('base64url');
  writeFileSync(file, `${id}\n`);
  return id;
}
