/**
 * The database side of start-up: migrations to the latest schema, then the demo data.
 *
 * The seed script (db/seed.ts, `seedDemoData(db)`) is loaded only if it exists, by a dynamic
 * import, so the launcher runs before it is written and never fails because of it; seeding
 * is expected to be idempotent (upserts), as it runs at every start.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDb, type Db } from '../../../db/client';
import { migrateToLatest } from '../../../db/migrate';
import type { Config } from '../../config';
import { REPO_ROOT } from '../paths';

const SEED_SCRIPT = path.join(REPO_ROOT, 'db', 'seed.ts');

export interface DatabaseResult {
  /** Migrations applied by this run (none when the schema was current). */
  applied: string[];
  /** False when there is no seed script yet. */
  seeded: boolean;
}

export async function prepareDatabase(config: Config, seed = true): Promise<DatabaseResult> {
  const db = createDb({ ...config, DATABASE_POOL_MAX: 2 });
  try {
    const applied = await migrateToLatest(db);
    const seeded = seed ? await seedDemoData(db) : false;
    return { applied, seeded };
  } finally {
    await db.destroy();
  }
}

async function seedDemoData(db: Db): Promise<boolean> {
  if (!existsSync(SEED_SCRIPT)) return false;
  const module: unknown = await import(pathToFileURL(SEED_SCRIPT).href);
  const seedFn = (module as { seedDemoData?: unknown }).seedDemoData;
  if (typeof seedFn !== 'function') {
    throw new Error(`${SEED_SCRIPT} does not export a seedDemoData(db) function`);
  }
  await (seedFn as (db: Db) => Promise<unknown>)(db);
  return true;
}
