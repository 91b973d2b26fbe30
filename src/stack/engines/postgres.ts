/**
 * PostgreSQL 15: the project's own cluster in `<state>/postgres`, not the machine's.
 *
 * - Binaries: Debian's postgresql-15, installed only when missing.
 * - User: Postgres refuses to run as root, so when the launcher is root the server runs as
 *   the `postgres` OS user. It is spawned with that uid directly (rather than through
 *   runuser or su), so the pid the launcher records is the postmaster's own.
 * - Network: TCP on 127.0.0.1 only, and no Unix socket: nothing to clash with the system
 *   cluster's socket in /var/run/postgresql, and no socket-path length limit to hit.
 * - First start: initdb into a scratch folder, then, in single-user mode (no network, no
 *   password needed), create the application role and database named by DATABASE_URL,
 *   then rename the folder into place. A data folder therefore either is complete or does
 *   not exist; an interrupted first start is simply redone.
 * - The superuser `postgres` has no password and no TCP access (scram for TCP, peer for the
 *   socket that is not opened): only the application role can log in.
 */
import { createHash } from 'node:crypto';
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import type { Engine } from '../components';
import { installDebianPackages } from '../install/apt';
import { StackError, warn } from '../output';
import { withTimeout } from '../readiness';
import { urlPort, type StackSettings } from '../settings';
import { run, runCapture } from '../shell';

const BIN = '/usr/lib/postgresql/15/bin';
const POSTGRES = path.join(BIN, 'postgres');
/** Where the data folder goes when the state folder is out of the postgres user's reach. */
const FALLBACK_ROOT = '/var/lib/order-platform';

export function postgresEngine(settings: StackSettings): Engine {
  const url = settings.config.DATABASE_URL;
  const port = urlPort(url, 5432);
  const dataLink = settings.paths.postgres;

  return {
    name: 'postgres',
    external: settings.external.postgres,
    address: `127.0.0.1:${port}`,
    marker: POSTGRES,
    // SIGINT is Postgres's "fast" shutdown: roll back open transactions, checkpoint, exit.
    // SIGTERM ("smart") would wait for every client to disconnect first.
    stop: { signal: 'SIGINT', timeoutMs: 30_000 },
    ports: [port],
    readyTimeoutMs: 30_000,
    probe: () => canQuery(url, settings.config.DATABASE_SSL),

    async install() {
      if (!existsSync(POSTGRES)) await installDebianPackages(['postgresql-15']);
    },

    async prepare() {
      // Looked up only now: on a fresh machine the user appears with the package.
      const owner = serverUser();
      const dataDir = await resolveDataDir(settings, dataLink, owner);
      if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
      await initialise(dataDir, url, owner);
    },

    daemon() {
      const dataDir = realpathSync(dataLink);
      const owner = serverUser();
      return {
        name: 'postgres',
        command: POSTGRES,
        args: [
          '-D',
          dataDir,
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          `port=${port}`,
          '-c',
          'unix_socket_directories=',
          // Four app processes with pools of ten, the test run's clients and a psql or two.
          '-c',
          'max_connections=200',
        ],
        cwd: dataDir,
        uid: owner?.uid,
        gid: owner?.gid,
      };
    },
  };
}

interface OsUser {
  uid: number;
  gid: number;
}

/** The `postgres` OS user when the launcher runs as root; otherwise the launcher's own user. */
function serverUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    // Handled below, like a missing user.
  }
  const entry = passwd.split('\n').find((line) => line.startsWith('postgres:'));
  const fields = entry?.split(':');
  // The user is created by the postgresql-common package; install() runs first.
  if (!fields?.[2] || !fields[3]) return { uid: -1, gid: -1 };
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/**
 * The data folder is `<state>/postgres`, unless the postgres user cannot reach it (a
 * checkout under /root, whose mode is 700). Then the data lives under /var/lib/order-platform
 * and `<state>/postgres` is a symlink to it, so the state folder still tells where it is.
 */
async function resolveDataDir(
  settings: StackSettings,
  link: string,
  owner: OsUser | undefined,
): Promise<string> {
  mkdirSync(settings.paths.root, { recursive: true });
  if (existsSync(link)) return realpathSync(link);
  if (isSymlink(link)) rmSync(link); // dangling: its target was deleted
  const user = checkedUser(owner);
  if (!user || (await reachableBy(settings.paths.root, user))) return link;
  const hash = createHash('sha256').update(settings.paths.root).digest('hex').slice(0, 12);
  const target = path.join(FALLBACK_ROOT, hash, 'postgres');
  mkdirSync(path.dirname(target), { recursive: true });
  warn(
    `the postgres user cannot reach ${settings.paths.root}; keeping the data in ${target} (linked from ${link})`,
  );
  symlinkSync(target, link);
  return target;
}

function isSymlink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function checkedUser(owner: OsUser | undefined): OsUser | undefined {
  if (owner && owner.uid < 0) {
    throw new StackError(
      'there is no `postgres` OS user: reinstall postgresql-common (apt-get install --reinstall postgresql-common)',
    );
  }
  return owner;
}

async function reachableBy(dir: string, user: OsUser): Promise<boolean> {
  return (await runCapture('test', ['-x', dir], { uid: user.uid, gid: user.gid })).code === 0;
}

async function initialise(dataDir: string, url: string, owner: OsUser | undefined): Promise<void> {
  const user = checkedUser(owner);
  const scratch = `${dataDir}.init`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true, mode: 0o700 });
  if (user) chownSync(scratch, user.uid, user.gid);
  const asOwner = { uid: user?.uid, gid: user?.gid, cwd: scratch };

  await run(
    path.join(BIN, 'initdb'),
    [
      '-D',
      scratch,
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--auth-local=peer',
      '--auth-host=scram-sha-256',
    ],
    asOwner,
  );

  const { username, password, database } = credentials(url);
  const sql = [
    `CREATE ROLE ${identifier(username)} LOGIN CREATEDB PASSWORD ${literal(password)};`,
    `CREATE DATABASE ${identifier(database)} OWNER ${identifier(username)};`,
    '',
  ].join('\n');
  // Single-user mode reads one statement per line and keeps going after an error: look for one.
  const output = await run(POSTGRES, ['--single', '-D', scratch, 'postgres'], {
    ...asOwner,
    input: sql,
  });
  if (/\bERROR:/.test(output))
    throw new StackError(`creating the role and database failed:\n${output}`);

  renameSync(scratch, dataDir);
}

function credentials(url: string): { username: string; password: string; database: string } {
  const parsed = new URL(url);
  return {
    username: decodeURIComponent(parsed.username) || 'postgres',
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
  };
}

const identifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** Ready means the application role can log in to its database and run a query. */
async function canQuery(
  url: string,
  ssl: StackSettings['config']['DATABASE_SSL'],
): Promise<boolean> {
  const sql = postgres(url, {
    max: 1,
    connect_timeout: 2,
    ssl: ssl === 'disable' ? false : ssl,
    onnotice: () => {},
  });
  try {
    const rows = await withTimeout(sql`select 1 as ok`, 3000, 'postgres query');
    return rows[0]?.ok === 1;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
