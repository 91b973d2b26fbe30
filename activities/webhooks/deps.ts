/**
 * What the webhook delivery activities need, injected by the dispatcher's worker (real
 * clients) or by tests. No module-level singletons.
 */
import type { Db } from '../../db/client';
import type { Logger } from '../../src/logger';
import type { AttemptSettings } from '../../src/webhooks/attempt';
import type { SecretBox } from '../../src/webhooks/secret-box';

export interface WebhookActivityDeps {
  db: Db;
  secrets: SecretBox;
  attempt: AttemptSettings;
  /** WEBHOOK_DISABLE_AFTER_MS: a webhook failing for this long is deactivated. */
  disableAfterMs: number;
  clock: () => Date;
  logger: Logger;
}
