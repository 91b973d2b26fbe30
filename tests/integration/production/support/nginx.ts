/**
 * Runs docker/nginx's configuration with Debian's nginx, as the container would: the same
 * nginx.conf (its /tmp paths moved into a private folder) and the same template, rendered
 * the way the image's envsubst step renders it, in front of upstreams given by address.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

export interface NginxSettings {
  nginx: string;
  apiUpstream: string;
  gatewayUpstream: string;
  httpPort: number;
  httpsPort: number;
}

export interface RunningNginx {
  dir: string;
  certificate: string;
  /** nginx's output so far (access and error log, for assertion messages). */
  log(): string;
  stop(): Promise<void>;
}

/** envsubst restricted to the given variables, like the image's entrypoint does it. */
export function renderTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(
    /\$\{([A-Z_][A-Z0-9_]*)\}/g,
    (match, name: string) => vars[name] ?? match,
  );
}

/** Writes the configuration into a fresh folder; returns it and the `nginx -t` outcome. */
export function prepareNginx(settings: NginxSettings): {
  dir: string;
  test: { status: number | null; output: string };
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'nginx-test-'));
  // nginx's workers drop root privileges: they must reach the folder and write in run/.
  chmodSync(dir, 0o755);
  const run = path.join(dir, 'run');
  mkdirSync(run);
  chmodSync(run, 0o777);
  mkdirSync(path.join(dir, 'conf.d'));

  const certs = path.join(dir, 'certs');
  const generated = spawnSync(path.join(REPO_ROOT, 'docker/nginx/gen-dev-certs.sh'), [certs], {
    encoding: 'utf8',
  });
  if (generated.status !== 0) throw new Error(`gen-dev-certs.sh failed: ${generated.stderr}`);

  copyFileSync('/etc/nginx/mime.types', path.join(dir, 'mime.types'));
  const main = readFileSync(path.join(REPO_ROOT, 'docker/nginx/nginx.conf'), 'utf8');
  writeFileSync(path.join(dir, 'nginx.conf'), main.replaceAll('/tmp/', `${run}/`));

  const template = readFileSync(
    path.join(REPO_ROOT, 'docker/nginx/templates/default.conf.template'),
    'utf8',
  );
  const rendered = renderTemplate(template, {
    API_UPSTREAM: settings.apiUpstream,
    GATEWAY_UPSTREAM: settings.gatewayUpstream,
    NGINX_HTTP_PORT: String(settings.httpPort),
    NGINX_HTTPS_PORT: String(settings.httpsPort),
    PUBLIC_HTTPS_PORT: String(settings.httpsPort),
    NGINX_CERT_DIR: certs,
  });
  const leftover = /\$\{[A-Z_]+\}/.exec(rendered);
  if (leftover) throw new Error(`template variable without a value: ${leftover[0]}`);
  writeFileSync(path.join(dir, 'conf.d', 'default.conf'), rendered);

  // Output to a file, not a pipe: nginx opens /dev/stdout for its access log, which fails on a
  // socket.
  const testLog = path.join(dir, 'nginx-t.log');
  const fd = openSync(testLog, 'w');
  const test = spawnSync(
    settings.nginx,
    ['-t', '-e', 'stderr', '-p', dir, '-c', path.join(dir, 'nginx.conf')],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  return { dir, test: { status: test.status, output: readFileSync(testLog, 'utf8') } };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
  });
}

/** Starts nginx in the foreground on the prepared folder and waits for both listeners. */
export async function startNginx(settings: NginxSettings, dir: string): Promise<RunningNginx> {
  // Files, not pipes: nginx opens /dev/stdout for its access log, which fails on a socket.
  const logFile = path.join(dir, 'nginx.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    settings.nginx,
    ['-e', 'stderr', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 10_000;
  while (!(await canConnect(settings.httpsPort)) || !(await canConnect(settings.httpPort))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start: ${log()}`);
    }
    await sleep(50);
  }

  return {
    dir,
    certificate: readFileSync(path.join(dir, 'certs', 'cert.pem'), 'utf8'),
    log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT'); // graceful: finish open requests
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `preferred` when nothing listens there, otherwise a port the kernel picks. */
export function freePort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : undefined;
        server.close(() => resolve(bound));
      });
    });
  return tryListen(preferred).then(async (port) => port ?? (await tryListen(0))!);
}
