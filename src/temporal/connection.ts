/**
 * Temporal connections for clients (API, simulators) and workers, from one config slice, so
 * the address, namespace and TLS/API-key settings can never differ between caller and worker.
 * Temporal Cloud: set TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and either TEMPORAL_API_KEY or
 * TEMPORAL_TLS_CERT_PATH + TEMPORAL_TLS_KEY_PATH (mTLS).
 */
import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';

export type TemporalSettings = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
>;

export function temporalConnectionOptions(config: TemporalSettings): ConnectionOptions {
  const mtls =
    config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH
      ? {
          clientCertPair: {
            crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH),
            key: readFileSync(config.TEMPORAL_TLS_KEY_PATH),
          },
        }
      : undefined;
  return {
    address: config.TEMPORAL_ADDRESS,
    ...(mtls ? { tls: mtls } : config.TEMPORAL_API_KEY ? { tls: true } : {}),
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  };
}

export async function connectTemporalClient(config: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

export function connectWorkerConnection(config: TemporalSettings): Promise<NativeConnection> {
  const options = temporalConnectionOptions(config);
  return NativeConnection.connect({
    address: options.address!,
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  });
}
