/**
 * docker-compose.yml (development) and docker-compose.prod.yml (its production override),
 * checked by parsing: there is no Docker engine here, so these assertions stand in for
 * `docker compose up` failing on a missing image, port, health check or dependency.
 * (tests/integration/production/compose-config.test.ts has Compose itself validate them.)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import {
  healthcheckCommand,
  loadCompose,
  mergeCompose,
  MissingVariableError,
  readComposeYaml,
  readEnvFile,
  REPO_ROOT,
  type ComposeFile,
  type Service,
} from './support/compose';

const APPS = ['api', 'gateway', 'worker', 'dispatcher'] as const;
const JOBS = ['migrate', 'seed', 'kafka-topics', 'temporal-setup', 'temporal-schema'];
/** Long-running services that accept connections, and the port each must declare. */
const SERVERS: Record<string, string> = {
  api: '8000',
  gateway: '8001',
  worker: '9464',
  dispatcher: '9465',
  nginx: '8443',
  postgres: '5432',
  redis: '6379',
  kafka: '9092',
  temporal: '7233',
};

const PROD_SECRETS = readEnvFile('docker/secrets/production.env.example');
const dev = loadCompose('docker-compose.yml');
const prodOverride = loadCompose('docker-compose.prod.yml', PROD_SECRETS);
const prod = mergeCompose(dev, prodOverride);

const files: [string, ComposeFile][] = [
  ['docker-compose.yml', dev],
  ['docker-compose.yml + docker-compose.prod.yml', prod],
];

function declaredPorts(service: Service): string[] {
  return [...(service.expose ?? []), ...(service.ports ?? []).map((p) => p.split(':').pop()!)];
}

function isJob(service: Service): boolean {
  return service.restart === 'no';
}

/** Every variable the processes read: src/config.ts and the gateway's own options. */
function knownVariables(): Set<string> {
  const names = new Set<string>();
  for (const file of ['src/config.ts', 'gateway/options.ts']) {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    for (const match of text.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)) names.add(match[1]!);
  }
  return names;
}

function appEnvironment(compose: ComposeFile, name: string): NodeJS.ProcessEnv {
  const env = compose.services[name]!.environment ?? {};
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]),
  ) as NodeJS.ProcessEnv;
}

describe.each(files)('%s', (_name, compose) => {
  const services = Object.entries(compose.services);

  it('gives every service an image, and every build a context and Dockerfile that exist', () => {
    for (const [name, service] of services) {
      expect(service.image ?? service.build, `${name}: image or build`).toBeTruthy();
      if (!service.build) continue;
      const build = typeof service.build === 'string' ? { context: service.build } : service.build;
      const context = path.resolve(REPO_ROOT, build.context);
      expect(existsSync(context), `${name}: build context ${build.context}`).toBe(true);
      const dockerfile = path.resolve(context, build.dockerfile ?? 'Dockerfile');
      expect(existsSync(dockerfile), `${name}: ${build.dockerfile}`).toBe(true);
    }
  });

  it('declares the port of every server and gives each one a health check', () => {
    for (const [name, port] of Object.entries(SERVERS)) {
      const service = compose.services[name];
      expect(service, name).toBeDefined();
      expect(declaredPorts(service!), `${name} ports`).toContain(port);
    }
    for (const [name, service] of services) {
      if (declaredPorts(service).length === 0) continue;
      expect(healthcheckCommand(service.healthcheck), `${name} serves: healthcheck`).not.toBe('');
    }
  });

  it('checks the health of each app on the port it declares', () => {
    for (const app of APPS) {
      const service = compose.services[app]!;
      const command = healthcheckCommand(service.healthcheck);
      expect(command, app).toContain(`127.0.0.1:${SERVERS[app]}/`);
    }
  });

  it('points every depends_on at a service that exists and can satisfy its condition', () => {
    for (const [name, service] of services) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        const dependency = compose.services[target];
        expect(dependency, `${name} depends on ${target}`).toBeDefined();
        if (condition === 'service_healthy') {
          expect(
            dependency!.healthcheck,
            `${name} waits for ${target} to be healthy`,
          ).toBeDefined();
        }
        if (condition === 'service_completed_successfully') {
          expect(isJob(dependency!), `${name} waits for ${target} to complete`).toBe(true);
        }
      }
    }
  });

  it('attaches services only to networks that are declared', () => {
    const declared = Object.keys(compose.networks ?? {});
    for (const [name, service] of services) {
      expect(service.networks?.length, `${name} networks`).toBeGreaterThan(0);
      for (const network of service.networks ?? []) {
        expect(declared, `${name} network ${network}`).toContain(network);
      }
    }
  });

  it('mounts named volumes that are declared and repository paths that exist', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.') || source.startsWith('/')) {
          // docker/nginx/certs is git-ignored but its folder is committed.
          expect(existsSync(path.resolve(REPO_ROOT, source)), `${name} mounts ${source}`).toBe(
            true,
          );
        } else {
          expect(declared, `${name} volume ${source}`).toContain(source);
        }
      }
    }
  });

  it('restarts long-running services and never restarts one-shot jobs', () => {
    for (const [name, service] of services) {
      if (JOBS.includes(name)) expect(service.restart, name).toBe('no');
      else expect(['always', 'unless-stopped'], name).toContain(service.restart);
    }
  });

  it('publishes only nginx to the world; operator tools listen on loopback', () => {
    for (const [name, service] of services) {
      for (const port of service.ports ?? []) {
        if (name === 'nginx') continue;
        expect(port.startsWith('127.0.0.1:'), `${name} publishes ${port}`).toBe(true);
      }
    }
    expect(compose.services.nginx!.ports).toHaveLength(2);
  });

  it('segments the networks as the seed says: nginx at the edge, workers and engines behind', () => {
    const networksOf = (name: string) => compose.services[name]!.networks ?? [];
    expect(networksOf('nginx')).toEqual(['frontend']);
    for (const name of ['api', 'gateway']) {
      expect(networksOf(name)).toEqual(expect.arrayContaining(['frontend', 'backend']));
    }
    for (const name of ['worker', 'dispatcher', 'postgres', 'redis', 'kafka', 'temporal']) {
      expect(networksOf(name), name).toContain('backend');
      expect(networksOf(name), name).not.toContain('frontend');
    }
  });

  it('gives the apps only variables the processes read, and a configuration they accept', () => {
    const known = knownVariables();
    for (const app of APPS) {
      const env = appEnvironment(compose, app);
      for (const key of Object.keys(env)) expect(known, `${app}: ${key}`).toContain(key);
      expect(() => loadConfig(env), app).not.toThrow();
    }
  });

  it('runs the gateway against the api JWKS and every app against the same engines', () => {
    const envs = APPS.map((app) => loadConfig(appEnvironment(compose, app)));
    for (const key of [
      'DATABASE_URL',
      'REDIS_URL',
      'KAFKA_BROKERS',
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TASK_QUEUE',
      'WEBHOOK_SECRET_KEY',
    ] as const) {
      expect(new Set(envs.map((c) => JSON.stringify(c[key]))).size, key).toBe(1);
    }
    expect(envs[1]!.JWKS_URL).toBe('http://api:8000/.well-known/jwks.json');
  });
});

describe('the development stack', () => {
  it('runs one of each process and a single KRaft broker', () => {
    for (const name of [...APPS, 'nginx', 'temporal', 'temporal-ui', 'postgres', 'redis']) {
      expect(dev.services[name]?.deploy?.replicas ?? 1, name).toBe(1);
    }
    expect(dev.services.kafka!.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(dev.services.kafka!.environment?.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka:9093');
  });

  it('keeps Redis durable (AOF) and Postgres on version 15', () => {
    const redisConf = readFileSync(path.join(REPO_ROOT, 'docker/redis/redis.conf'), 'utf8');
    expect(redisConf).toMatch(/^appendonly yes$/m);
    expect(redisConf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(dev.services.redis!.command).toEqual([
      'redis-server',
      '/usr/local/etc/redis/redis.conf',
    ]);
    expect(dev.services.postgres!.image).toMatch(/^postgres:15/);
  });

  it('creates the topics and registers the search attributes before any app starts', () => {
    for (const app of APPS) {
      const dependsOn = dev.services[app]!.depends_on ?? {};
      const waitsFor = (name: string) =>
        dependsOn[name]?.condition === 'service_completed_successfully' ||
        Object.keys(dependsOn).some(
          (d) =>
            dev.services[d]!.depends_on?.[name]?.condition === 'service_completed_successfully',
        );
      for (const job of ['migrate', 'kafka-topics', 'temporal-setup']) {
        expect(waitsFor(job), `${app} waits for ${job}`).toBe(true);
      }
    }
  });
});

describe('the production override', () => {
  it('scales the stateless processes: 3 api, 2 gateway, several workers and dispatchers', () => {
    expect(prod.services.api!.deploy?.replicas).toBe(3);
    expect(prod.services.gateway!.deploy?.replicas).toBe(2);
    expect(prod.services.worker!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(prod.services.dispatcher!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    for (const name of Object.keys(prod.services)) {
      if ((prod.services[name]!.deploy?.replicas ?? 1) > 1) {
        expect(prod.services[name]!.container_name, name).toBeUndefined();
      }
    }
  });

  it('runs three KRaft nodes, topics with replication 3 and min.insync.replicas 2', () => {
    const brokers = ['kafka', 'kafka-2', 'kafka-3'].map((name) => prod.services[name]!);
    const ids = brokers.map((b) => String(b.environment?.KAFKA_NODE_ID));
    expect(new Set(ids)).toEqual(new Set(['1', '2', '3']));
    for (const broker of brokers) {
      const env = broker.environment!;
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093');
      expect(String(env.KAFKA_DEFAULT_REPLICATION_FACTOR)).toBe('3');
      expect(String(env.KAFKA_MIN_INSYNC_REPLICAS)).toBe('2');
      expect(String(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR)).toBe('3');
      expect(env.CLUSTER_ID).toBe(brokers[0]!.environment!.CLUSTER_ID);
      expect(healthcheckCommand(broker.healthcheck)).toContain('kafka-broker-api-versions');
    }
    expect(new Set(brokers.map((b) => b.volumes![0]!.split(':')[0])).size).toBe(3);
    const topics = prod.services['kafka-topics']!;
    expect(String(topics.environment?.TOPIC_REPLICATION)).toBe('3');
    expect(String(topics.environment?.TOPIC_MIN_INSYNC)).toBe('2');
    expect(topics.depends_on?.['kafka-3']?.condition).toBe('service_healthy');
  });

  it('sets resource limits on every long-running service it scales or hosts', () => {
    for (const name of [...APPS, 'nginx', 'postgres', 'redis', 'kafka', 'kafka-2', 'kafka-3']) {
      const limits = prod.services[name]!.deploy?.resources?.limits;
      expect(limits?.memory, `${name} memory limit`).toBeTruthy();
      expect(limits?.cpus, `${name} cpu limit`).toBeTruthy();
    }
  });

  it('hardens the app containers: read-only, no privileges, always restarted', () => {
    for (const app of APPS) {
      const service = prod.services[app]!;
      expect(service.read_only, app).toBe(true);
      expect(service.cap_drop, app).toEqual(['ALL']);
      expect(service.security_opt, app).toContain('no-new-privileges:true');
      expect(service.restart, app).toBe('always');
      expect(service.environment?.NODE_ENV, app).toBe('production');
    }
  });

  it('makes the backend network internal and gives egress only to what calls out', () => {
    expect(prod.networks?.backend?.internal).toBe(true);
    const withEgress = Object.entries(prod.services)
      .filter(([, s]) => s.networks?.includes('egress'))
      .map(([name]) => name)
      .sort();
    expect(withEgress).toEqual(['alertmanager', 'dispatcher', 'worker']);
  });

  it('leaves no development value behind: every app variable of the base is set again', () => {
    for (const app of APPS) {
      const devEnv = dev.services[app]!.environment ?? {};
      const overridden = prodOverride.services[app]!.environment ?? {};
      for (const key of Object.keys(devEnv)) {
        if (/_METRICS_PORT$/.test(key)) continue;
        expect(Object.keys(overridden), `${app}: ${key} overridden`).toContain(key);
      }
      expect(prod.services[app]!.environment?.DATABASE_URL).toBe(PROD_SECRETS.DATABASE_URL);
    }
    expect(prod.services.postgres!.environment?.POSTGRES_PASSWORD).toBe(
      PROD_SECRETS.POSTGRES_PASSWORD,
    );
    expect(prod.services.temporal!.environment?.POSTGRES_PWD).toBe(
      PROD_SECRETS.TEMPORAL_DB_PASSWORD,
    );
  });

  it('refuses to start when a required secret is missing, naming it', () => {
    const { DATABASE_URL: _omitted, ...incomplete } = PROD_SECRETS;
    expect(() => loadCompose('docker-compose.prod.yml', incomplete)).toThrow(MissingVariableError);
    expect(() => loadCompose('docker-compose.prod.yml', incomplete)).toThrow(/DATABASE_URL/);
  });

  it('documents every required secret in docker/secrets/production.env.example', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'docker-compose.prod.yml'), 'utf8');
    const required = [...text.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!);
    expect(required.length).toBeGreaterThan(5);
    for (const name of required) expect(Object.keys(PROD_SECRETS), name).toContain(name);
  });

  it('keeps app.env for optional settings the environment does not already set', () => {
    const example = readFileSync(path.join(REPO_ROOT, 'docker/secrets/app.env.example'), 'utf8');
    const keys = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!);
    expect(keys).toEqual(expect.arrayContaining(['KAFKA_SASL_MECHANISM', 'TEMPORAL_API_KEY']));
    const known = knownVariables();
    for (const key of keys) {
      expect(known, key).toContain(key);
      expect(Object.keys(prodOverride.services.api!.environment ?? {}), key).not.toContain(key);
    }
    for (const app of APPS) {
      expect(prod.services[app]!.env_file, app).toEqual(['./docker/secrets/app.env']);
    }
  });

  it('gives every api replica the same signing key, as a compose secret', () => {
    expect(prod.services.api!.environment?.JWT_PRIVATE_KEY_PATH).toBe(
      '/run/secrets/jwt_private_key',
    );
    expect(prod.services.api!.secrets).toContain('jwt_private_key');
    expect(prod.secrets?.jwt_private_key?.file).toBe('./docker/secrets/jwt-private.pem');
  });

  it('runs Temporal from its server image with an explicit schema job first', () => {
    expect(prod.services.temporal!.image).toMatch(/^temporalio\/server:/);
    expect(prod.services.temporal!.depends_on?.['temporal-schema']?.condition).toBe(
      'service_completed_successfully',
    );
    expect(prod.services.seed!.profiles).toEqual(['demo']);
  });

  it('keeps the git-ignored secrets out of git and out of the examples', () => {
    const ignore = readFileSync(path.join(REPO_ROOT, 'docker/secrets/.gitignore'), 'utf8');
    expect(ignore.split('\n')).toEqual(expect.arrayContaining(['*', '!.gitignore', '!*.example']));
    const raw = readComposeYaml('docker-compose.prod.yml');
    expect(JSON.stringify(raw)).not.toMatch(/change-me/);
  });
});
