/**
 * The launcher's reading of the configuration: the same `loadConfig()` every process uses,
 * plus the one thing only the launcher cares about, which engines to run itself.
 *
 * The rule is simple and visible: an engine whose address variable (DATABASE_URL, REDIS_URL,
 * KAFKA_BROKERS, TEMPORAL_ADDRESS) is set in the environment is somebody else's server, and
 * the launcher only checks that it answers. An engine whose variable is unset runs locally,
 * on the default address, with its data in the state folder.
 */
import { loadConfig, type Config } from '../config';
import { statePaths, type StatePaths } from './paths';

export type EngineName = 'postgres' | 'redis' | 'kafka' | 'temporal';

export const ENGINE_ADDRESS_VARIABLES: Readonly<Record<EngineName, string>> = {
  postgres: 'DATABASE_URL',
  redis: 'REDIS_URL',
  kafka: 'KAFKA_BROKERS',
  temporal: 'TEMPORAL_ADDRESS',
};

export interface StackSettings {
  config: Config;
  paths: StatePaths;
  /** Engines pointed elsewhere by the environment: never started or stopped by the launcher. */
  external: Readonly<Record<EngineName, boolean>>;
}

export function loadStackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  const config = loadConfig(env);
  const isSet = (name: string): boolean => (env[name] ?? '').trim() !== '';
  return {
    config,
    paths: statePaths(config.STATE_DIR),
    external: {
      postgres: isSet(ENGINE_ADDRESS_VARIABLES.postgres),
      redis: isSet(ENGINE_ADDRESS_VARIABLES.redis),
      kafka: isSet(ENGINE_ADDRESS_VARIABLES.kafka),
      temporal: isSet(ENGINE_ADDRESS_VARIABLES.temporal),
    },
  };
}

/** The port of a `scheme://host:port/...` URL, or `fallback` when it names none. */
export function urlPort(url: string, fallback: number): number {
  const port = new URL(url).port;
  return port === '' ? fallback : Number(port);
}

/** The port of a `host:port` address. */
export function addressPort(address: string, fallback: number): number {
  const match = /:(\d+)$/.exec(address);
  return match?.[1] ? Number(match[1]) : fallback;
}
