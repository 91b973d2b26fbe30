/**
 * Temporal: the CLI's development server, which is a complete Temporal (frontend, history,
 * matching, worker services) plus the Web UI, in one process, on SQLite.
 *
 * - `--db-filename <state>/temporal/temporal.db`: file-backed, so running workflows and
 *   their histories survive a restart (the default is in-memory).
 * - SQLite pragmas journal_mode=wal and synchronous=normal: with the defaults (a rollback
 *   journal, fsync on every commit) each workflow step waits on the disk; WAL with normal
 *   sync is crash-safe for the database file and much faster. Measured in docs/stack.md.
 * - The custom search attributes operators filter orders by (SEARCH_ATTRIBUTES in the
 *   contract) are registered at start with `--search-attribute`. For an external cluster
 *   they are added through the operator API instead (ensureSearchAttributes).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import type { Config } from '../../config';
import { SEARCH_ATTRIBUTES } from '../../contract/orders';
import type { Engine } from '../components';
import { ensureTemporalCli, installedTemporalCli } from '../install/temporal-cli';
import { warn } from '../output';
import { withTimeout } from '../readiness';
import { addressPort, type StackSettings } from '../settings';

export const TEMPORAL_UI_PORT = 8233;

export const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'] as const;

export function temporalEngine(settings: StackSettings): Engine {
  const { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace } = settings.config;
  const port = addressPort(address, 7233);
  const dir = settings.paths.temporal;

  return {
    name: 'temporal',
    external: settings.external.temporal,
    address: `127.0.0.1:${port}`,
    marker: 'server start-dev',
    stop: { signal: 'SIGTERM', timeoutMs: 20_000 },
    ports: [port, TEMPORAL_UI_PORT],
    readyTimeoutMs: 60_000,
    probe: () => namespaceAnswers(settings.config),

    async install() {
      await ensureTemporalCli();
    },

    async prepare() {
      mkdirSync(dir, { recursive: true });
    },

    daemon() {
      const binary = installedTemporalCli();
      if (!binary)
        throw new Error('the Temporal CLI is not installed: install() runs before daemon()');
      return {
        name: 'temporal',
        command: binary,
        args: [
          'server',
          'start-dev',
          '--db-filename',
          path.join(dir, 'temporal.db'),
          '--ip',
          '127.0.0.1',
          '--port',
          String(port),
          '--ui-port',
          String(TEMPORAL_UI_PORT),
          '--namespace',
          namespace,
          ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => [
            '--search-attribute',
            `${name}=${type}`,
          ]),
          ...SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]),
          '--log-level',
          'warn',
        ],
        cwd: dir,
      };
    },
  };
}

type TemporalConnectionConfig = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
>;

/** Connection options for the configured cluster: plain locally, TLS and/or API key remotely. */
export function temporalConnectionOptions(config: TemporalConnectionConfig): ConnectionOptions {
  const {
    TEMPORAL_TLS_CERT_PATH: cert,
    TEMPORAL_TLS_KEY_PATH: key,
    TEMPORAL_API_KEY: apiKey,
  } = config;
  const tls =
    cert && key
      ? { clientCertPair: { crt: readFileSync(cert), key: readFileSync(key) } }
      : apiKey
        ? true
        : undefined;
  return {
    address: config.TEMPORAL_ADDRESS,
    connectTimeout: '3s',
    ...(tls ? { tls } : {}),
    ...(apiKey ? { apiKey } : {}),
  };
}

async function withConnection<T>(
  config: TemporalConnectionConfig,
  action: (c: Connection) => Promise<T>,
): Promise<T> {
  const connection = await withTimeout(
    Connection.connect(temporalConnectionOptions(config)),
    5000,
    'temporal connect',
  );
  try {
    return await action(connection);
  } finally {
    await connection.close();
  }
}

/** Ready means the namespace the apps use can be described. */
function namespaceAnswers(config: TemporalConnectionConfig): Promise<boolean> {
  return withConnection(config, async (connection) => {
    const response = await withTimeout(
      connection.workflowService.describeNamespace({ namespace: config.TEMPORAL_NAMESPACE }),
      3000,
      'temporal describeNamespace',
    );
    return response.namespaceInfo?.name === config.TEMPORAL_NAMESPACE;
  });
}

// @temporalio/proto is CommonJS whose named exports Node cannot detect: values come through
// its default export, types through the named one.
const { IndexedValueType } = proto.temporal.api.enums.v1;

type SearchAttributeTypeName =
  'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

const INDEXED_VALUE_TYPES: Record<SearchAttributeTypeName, temporal.api.enums.v1.IndexedValueType> =
  {
    Text: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
    Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
    Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
    Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  };

/**
 * Registers any of the order search attributes the namespace lacks; returns the names added.
 * The local dev server already has them from its command line, so there this only checks.
 * Temporal Cloud does not allow this call: there the attributes are created in its console,
 * and a refusal is reported as a warning, not a failure.
 */
export async function ensureSearchAttributes(config: TemporalConnectionConfig): Promise<string[]> {
  return withConnection(config, async (connection) => {
    const namespace = config.TEMPORAL_NAMESPACE;
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const custom = existing.customAttributes ?? {};
    const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !(name in custom));
    if (missing.length === 0) return [];
    const searchAttributes = Object.fromEntries(
      missing.map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]]),
    );
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
    } catch (error) {
      warn(
        `could not register search attributes ${missing.map(([n]) => n).join(', ')}: ${String(error)}`,
      );
      return [];
    }
    return missing.map(([name]) => name);
  });
}
