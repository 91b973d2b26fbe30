/**
 * Builds the kysely handle over postgres.js. Query functions elsewhere take this handle (or a
 * transaction) as their first argument, so the caller decides the transaction.
 */
import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import type { Config } from '../src/config';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export function createDb(
  config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX' | 'DATABASE_SSL'>,
): Db {
  const ssl =
    config.DATABASE_SSL === 'disable'
      ? false
      : config.DATABASE_SSL === 'require'
        ? ('require' as const)
        : ('verify-full' as const);
  const client = postgres(config.DATABASE_URL, {
    max: config.DATABASE_POOL_MAX,
    ssl,
    onnotice: () => {},
    // TIMESTAMPTZ as Date, DECIMAL as string (exact), BIGINT as string: the postgres.js defaults.
  });
  return new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) });
}
