/**
 * The Debian tools the production checks run (nginx, promtool, amtool, docker-compose,
 * openssl): installed on first use when missing, or reported unavailable with the reason, so
 * that a test can skip cleanly instead of failing on a machine that cannot install them.
 *
 * - Nothing happens when the binary is already on the PATH (milliseconds).
 * - `apt-get update` runs only when something must be installed.
 * - Test files run in parallel processes: installs are serialised across them with flock,
 *   and apt waits for the dpkg lock instead of failing on it.
 * - A package's own service must not start (a Debian prometheus would take :9090): a
 *   policy-rc.d that forbids it is in place for the duration of the install.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export type Availability = { ok: true; path: string } | { ok: false; reason: string };

const LOCK_FILE = '/tmp/order-platform-apt.lock';

/** The absolute path of `binary` on the PATH (or in the sbin folders), or undefined. */
export function which(binary: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v "$1"`, 'which', binary], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
  });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : undefined;
}

/**
 * Makes `binary` available, installing the Debian `pkg` that provides it when it is missing.
 * Never throws: a machine that cannot install (not root, no apt, no network) gets a reason.
 */
export function ensureDebianPackage(pkg: string, binary = pkg): Availability {
  const present = which(binary);
  if (present) return { ok: true, path: present };
  if (process.platform !== 'linux' || !which('apt-get')) {
    return { ok: false, reason: `${binary} is not installed and apt-get is unavailable` };
  }
  if (process.getuid?.() !== 0) {
    return { ok: false, reason: `${binary} is missing: sudo apt-get install -y ${pkg}` };
  }
  const script = [
    'set -e',
    `command -v "${binary}" >/dev/null 2>&1 && exit 0`,
    'policy=/usr/sbin/policy-rc.d',
    'added=0',
    'if [ ! -e "$policy" ]; then printf "#!/bin/sh\\nexit 101\\n" > "$policy"; chmod 755 "$policy"; added=1; fi',
    'trap \'if [ "$added" = 1 ]; then rm -f "$policy"; fi\' EXIT',
    'apt-get -o DPkg::Lock::Timeout=300 update -qq',
    `apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${pkg}"`,
  ].join('\n');
  try {
    execFileSync('flock', [LOCK_FILE, 'sh', '-c', script], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10 * 60_000,
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop();
    return { ok: false, reason: `could not install ${pkg}: ${stderr || String(error)}` };
  }
  const installed = which(binary);
  return installed
    ? { ok: true, path: installed }
    : { ok: false, reason: `${pkg} installed but ${binary} is not on the PATH` };
}

/** The command that runs Docker Compose: the `docker compose` plugin, or the standalone one. */
export function ensureDockerCompose():
  { ok: true; command: string; args: string[]; flavour: string } | { ok: false; reason: string } {
  if (which('docker')) {
    const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (plugin.status === 0) {
      return { ok: true, command: 'docker', args: ['compose'], flavour: plugin.stdout.trim() };
    }
  }
  // Debian 12 has no docker-compose-plugin package; its docker-compose (1.29) validates the
  // same files. Either is enough to parse and merge them.
  const standalone = ensureDebianPackage('docker-compose');
  if (!standalone.ok) {
    return {
      ok: false,
      reason: `neither the docker compose plugin nor docker-compose is available (${standalone.reason})`,
    };
  }
  const version = spawnSync(standalone.path, ['version', '--short'], { encoding: 'utf8' });
  return {
    ok: true,
    command: standalone.path,
    args: [],
    flavour: `docker-compose ${version.stdout.trim()}`,
  };
}
