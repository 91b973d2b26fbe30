/* global process, console */
/**
 * `npm run ensure-deps`, run before `npm start` and `npm test`: installs the npm dependencies
 * when they are missing or stale, and does nothing (in milliseconds) otherwise.
 *
 * Plain Node with no dependencies, since it runs before there are any. "Stale" means the
 * lockfile changed since the last install: its hash is stamped into node_modules after each
 * install and compared at the next run. With a lockfile the install is `npm ci` (exactly the
 * locked tree); without one, `npm install` (which writes it).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const lockfile = path.join(root, 'package-lock.json');
const manifest = path.join(root, 'package.json');
const modules = path.join(root, 'node_modules');
const stamp = path.join(modules, '.deps-stamp');

const hasLock = existsSync(lockfile);
const wanted = createHash('sha256')
  .update(readFileSync(hasLock ? lockfile : manifest))
  .digest('hex');
const installed = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';

if (existsSync(modules) && installed === wanted) process.exit(0);

const args = hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
console.log(
  `installing npm dependencies (npm ${args[0]}: ${existsSync(modules) ? 'lockfile changed' : 'none yet'})`,
);
const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

// `npm install` may just have written the lockfile: stamp what is there now.
const after = existsSync(lockfile) ? lockfile : manifest;
writeFileSync(stamp, `${createHash('sha256').update(readFileSync(after)).digest('hex')}\n`);
