/**
 * A Kafka admin client for the launcher: readiness checks and topic creation.
 *
 * The launcher builds its own client from the configuration instead of importing the app's
 * Kafka module, on purpose: the launcher is how the tests are run, so it must keep working
 * while application code is half-written or broken. The connection settings (brokers, TLS,
 * SASL) are the same variables the app reads.
 */
import { Kafka, logLevel, type Admin, type SASLOptions } from 'kafkajs';
import type { Config } from '../config';

export type KafkaConnection = Pick<
  Config,
  | 'KAFKA_BROKERS'
  | 'KAFKA_SSL'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
>;

/**
 * An admin client whose errors are not logged (the launcher reports them itself). By default
 * it fails fast: readiness polling retries on its own schedule, so the client's built-in
 * retries would only slow it down; work that should ride out a brief hiccup asks for some.
 */
export function kafkaAdmin(config: KafkaConnection, retries = 0): Admin {
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } = config;
  const sasl: SASLOptions | undefined =
    mechanism && username && password
      ? ({ mechanism, username, password } as SASLOptions)
      : undefined;
  const kafka = new Kafka({
    clientId: 'order-platform-stack',
    brokers: config.KAFKA_BROKERS,
    ssl: config.KAFKA_SSL,
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries, initialRetryTime: 200 },
  });
  return kafka.admin();
}

/** Runs `action` with a connected admin client, and always disconnects. */
export async function withKafkaAdmin<T>(
  config: KafkaConnection,
  action: (admin: Admin) => Promise<T>,
  retries = 0,
): Promise<T> {
  const admin = kafkaAdmin(config, retries);
  try {
    await admin.connect();
    return await action(admin);
  } finally {
    await admin.disconnect();
  }
}
