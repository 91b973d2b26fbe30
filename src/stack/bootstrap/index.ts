/**
 * What the engines need before the apps can use them, done in parallel: the Kafka topics,
 * Temporal's search attributes, the database schema and then the demo data. Every step is
 * idempotent, so it runs at every start and costs a fraction of a second when all is there.
 *
 * Kept out of stack.ts so that commands which only look (status, down, logs) do not load the
 * database layer and the migrations.
 */
import { ensureSearchAttributes } from '../engines/temporal';
import { done } from '../output';
import type { StackSettings } from '../settings';
import { settleAll } from '../stack';
import { prepareDatabase } from './database';
import { ensureTopics } from './topics';

export interface BootstrapOptions {
  seed: boolean;
}

/** Topics, search attributes and the database schema (then demo data), in parallel. */
export async function bootstrap(settings: StackSettings, options: BootstrapOptions): Promise<void> {
  const { config } = settings;
  const topics = async (): Promise<void> => {
    const startedAt = Date.now();
    const result = await ensureTopics(config);
    const what = result.created.length > 0 ? `created ${result.created.length}` : 'all present';
    done('topics', `${what} (${result.created.length + result.existing.length} topics)`, startedAt);
  };
  const searchAttributes = async (): Promise<void> => {
    const startedAt = Date.now();
    const added = await ensureSearchAttributes(config);
    done(
      'search attr',
      added.length > 0 ? `registered ${added.join(', ')}` : 'registered',
      startedAt,
    );
  };
  const database = async (): Promise<void> => {
    const startedAt = Date.now();
    const result = await prepareDatabase(config, options.seed);
    const migrations =
      result.applied.length > 0
        ? `applied ${result.applied.length} migration(s)`
        : 'schema current';
    const seeded = options.seed
      ? result.seeded
        ? ', demo data seeded'
        : ', no db/seed.ts yet'
      : '';
    done('database', `${migrations}${seeded}`, startedAt);
  };
  await settleAll([topics(), searchAttributes(), database()]);
}
