/**
 * Debian packages for the engines that come from the distribution (PostgreSQL 15, Redis 7,
 * and Java and Maven for Kafka where the machine lacks them).
 *
 * Installs are queued one behind the other, because dpkg takes a lock and engines are
 * installed in parallel; `apt-get update` runs once, and only when something is missing.
 *
 * The packages' own services must not start: a freshly installed Debian Postgres or Redis
 * would otherwise take ports 5432 and 6379, the very ports our own instances need. Debian's
 * standard switch for that is a policy-rc.d that answers 101 ("action forbidden"); one is put
 * in place for the duration of the install when the machine has none.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { StackError } from '../output';
import { run } from '../shell';

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

let queue: Promise<unknown> = Promise.resolve();
let indexUpdated = false;

/** Installs the packages (no-op for those already installed); serialised across callers. */
export function installDebianPackages(packages: readonly string[]): Promise<void> {
  const task = queue.then(() => install(packages));
  queue = task.catch(() => undefined);
  return task;
}

async function install(packages: readonly string[]): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new StackError(
      `missing Debian packages: ${packages.join(' ')}. Install them with:\n    sudo apt-get install -y ${packages.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const addedPolicy = !existsSync(POLICY_RC_D);
  if (addedPolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    if (!indexUpdated) {
      await run('apt-get', ['update', '-qq'], { env });
      indexUpdated = true;
    }
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
  } finally {
    if (addedPolicy) rmSync(POLICY_RC_D, { force: true });
  }
}
