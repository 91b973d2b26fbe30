/**
 * The bench's options, and how many processes a run needs. Every process (a gateway replica,
 * a load client) needs a descriptor per connection and the per-process open-file limit caps
 * that: a run larger than one process holds gets ceil(N / per-process) gateway replicas and as
 * many load clients, unless `--gateways` / `--clients` say otherwise. The soft limit is raised
 * to what the largest share needs by running this script again under `ulimit -n`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

/** Descriptors a process keeps for everything but its sockets to the other side. */
export const FD_MARGIN = 1024;

export interface WsBenchOptions {
  connections: number;
  perUser: number;
  rate: number;
  seconds: number;
  /** Gateway replicas and load-client processes; undefined: as many as the fd limit needs. */
  gateways: number | undefined;
  clients: number | undefined;
  /** Most connections one process is given when the counts are chosen automatically. */
  perProcess: number;
  /** Most connections per bound source address, when one is needed (see sizeRun). */
  perAddress: number;
  /** Upgrades in flight at once, per load client. */
  connectConcurrency: number;
  maxSeconds: number;
  settleSeconds: number;
  /** users: each connection watches its own user; fanout: all watch one user (as admins). */
  fanout: boolean;
}

export function readOptions(argv: string[]): WsBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string', default: process.env.WS_BENCH_CONNECTIONS ?? '10000' },
      'per-user': { type: 'string', default: '5' },
      rate: { type: 'string', default: process.env.WS_BENCH_RATE ?? '500' },
      seconds: { type: 'string', default: process.env.WS_BENCH_SECONDS ?? '20' },
      gateways: { type: 'string' },
      clients: { type: 'string' },
      'per-process': { type: 'string', default: '18000' },
      'per-address': { type: 'string', default: '20000' },
      'connect-concurrency': { type: 'string', default: '256' },
      'max-seconds': { type: 'string' },
      settle: { type: 'string', default: '10' },
      layout: { type: 'string', default: 'users' },
    },
  });
  const positive = (name: string, raw: string | undefined): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  if (values.layout !== 'users' && values.layout !== 'fanout') {
    throw new Error('--layout is users or fanout');
  }
  const connections = positive('connections', values.connections);
  return {
    connections,
    perUser: positive('per-user', values['per-user']),
    rate: positive('rate', values.rate),
    seconds: positive('seconds', values.seconds),
    gateways: values.gateways === undefined ? undefined : positive('gateways', values.gateways),
    clients: values.clients === undefined ? undefined : positive('clients', values.clients),
    perProcess: positive('per-process', values['per-process']),
    perAddress: positive('per-address', values['per-address']),
    connectConcurrency: positive('connect-concurrency', values['connect-concurrency']),
    maxSeconds:
      values['max-seconds'] === undefined
        ? Math.max(600, Math.ceil(connections / 100))
        : positive('max-seconds', values['max-seconds']),
    settleSeconds: Number(values.settle),
    fanout: values.layout === 'fanout',
  };
}

export interface Sizing {
  /** Connections to open: the asked number, or fewer if the processes cannot hold it. */
  connections: number;
  gateways: number;
  clients: number;
  /**
   * Source addresses 127.0.0.1..n to bind, or 0 to let the kernel pick the source port per
   * destination. A bound port is taken for every destination and from every other process's
   * outgoing connections too, so binding is kept for when it is needed: one replica (one
   * destination) taking more connections than `--per-address` of the ~28,000 ephemeral ports.
   */
  addresses: number;
  /** Soft open-file limit every process of the run needs. */
  fileLimit: number;
  /** What was decided and why, for the output. */
  notes: string[];
}

export function sizeRun(options: WsBenchOptions, hardFileLimit: number): Sizing {
  const asked = options.connections;
  const mostPerProcess = hardFileLimit - FD_MARGIN;
  const notes: string[] = [];
  // Counts given on the command line cap what the run can hold; the others follow N.
  const fixed = Math.min(options.gateways ?? Infinity, options.clients ?? Infinity);
  const connections = Math.min(asked, fixed * mostPerProcess);
  if (connections < asked) {
    notes.push(
      `${options.gateways ?? 'auto'} gateway(s) and ${options.clients ?? 'auto'} client(s) ` +
        `cannot hold ${asked} connections under the hard open-file limit of ${hardFileLimit} ` +
        `per process (raising it needs CAP_SYS_RESOURCE): measuring ${connections} instead`,
    );
  }
  const capacity = Math.min(options.perProcess, mostPerProcess);
  const auto = Math.max(1, Math.ceil(connections / capacity));
  const gateways = options.gateways ?? auto;
  const clients = options.clients ?? auto;
  if (auto > 1 && (options.gateways === undefined || options.clients === undefined)) {
    notes.push(
      `${connections} connections are more than one process holds here (open-file limit ` +
        `${hardFileLimit} per process, --per-process ${capacity}): running ${gateways} ` +
        `gateway replica(s) and ${clients} load-client process(es)`,
    );
  }
  const perGateway = Math.ceil(connections / gateways);
  const addresses =
    perGateway > options.perAddress ? Math.ceil(connections / options.perAddress) : 0;
  if (addresses > 0) {
    notes.push(`${perGateway} connections per replica: spread over ${addresses} source addresses`);
  }
  const fileLimit = Math.max(perGateway, Math.ceil(connections / clients)) + FD_MARGIN;
  return { connections, gateways, clients, addresses, fileLimit, notes };
}

/**
 * Runs this script again with the soft open-file limit raised to `need` (its children inherit
 * it) when it is lower; true if it did, and this process should only wait for that one.
 */
export function ensureFileLimit(need: number, limits: { soft: number; hard: number }): boolean {
  if (limits.soft >= need || process.env.WS_BENCH_RAISED) return false;
  const target = Math.min(need, limits.hard);
  if (target <= limits.soft) return false;
  if (spawnSync('bash', ['-c', `ulimit -n ${target}`]).status !== 0) return false;
  console.log(`[bench:ws] raising the open-file limit to ${target} (was ${limits.soft})`);
  const child = spawn(
    'bash',
    [
      '-c',
      `ulimit -n ${target} && exec "$0" "$@"`,
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, WS_BENCH_RAISED: '1' } },
  );
  child.on('exit', (code) => process.exit(code ?? 1));
  return true;
}
