/**
 * Debian's Prometheus against the local stack, with monitoring/prometheus's own scrape jobs
 * and alert rules: each job's Docker DNS discovery becomes a static 127.0.0.1 target on the
 * port the local process listens on, everything else (metrics paths, rule files) is the
 * committed configuration. Every target must be up, and every rule group must load and
 * evaluate.
 *
 * The api and gateway are required (npm test starts them). A job whose local port has no
 * listener (the Temporal dev server exports no metrics; a process whose metrics endpoint
 * is not wired yet) is left out with a note rather than failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../../src/config';
import { ensureDebianPackage } from '../../support/debian';
import { freePort, REPO_ROOT } from './support/nginx';

const API_URL = process.env.API_URL ?? 'http://127.0.0.1:8000';
const GATEWAY_URL = process.env.GATEWAY_URL ?? 'ws://127.0.0.1:8001';
const config = loadConfig();
const PROMETHEUS_DIR = path.join(REPO_ROOT, 'monitoring/prometheus');

/** Where each scrape job of prometheus.yml finds its process on this machine. */
const LOCAL_TARGETS: Record<string, number> = {
  api: Number(new URL(API_URL).port || 80),
  gateway: Number(new URL(GATEWAY_URL).port || 80),
  worker: config.WORKER_METRICS_PORT,
  'worker-temporal-sdk': config.WORKER_SDK_METRICS_PORT,
  dispatcher: config.DISPATCHER_METRICS_PORT,
  // The Temporal CLI's dev server exports metrics only with --metrics-port.
  'temporal-server': Number(process.env.TEMPORAL_METRICS_PORT ?? 0),
};
const REQUIRED_JOBS = ['api', 'gateway'];

function listening(port: number): Promise<boolean> {
  if (!port) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000, () => {
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

interface ScrapeJob {
  job_name: string;
  dns_sd_configs?: unknown;
  static_configs?: { targets: string[] }[];
  [key: string]: unknown;
}

const prometheus = ensureDebianPackage('prometheus');
// A suite before this one may have just restarted the API (the chaos run does): give it time.
async function listeningWithin(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await listening(port))) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
  return true;
}
const apiUp = await listeningWithin(LOCAL_TARGETS.api!, 60_000);
const skipReason = !prometheus.ok
  ? prometheus.reason
  : !apiUp
    ? `the API is not reachable at ${API_URL} (npm test starts it)`
    : '';

describe.skipIf(skipReason !== '')(
  `Prometheus with monitoring/ against the local stack${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    const committed = parse(readFileSync(path.join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as {
      global: Record<string, unknown>;
      rule_files: string[];
      scrape_configs: ScrapeJob[];
    };
    const ruleFiles = readdirSync(path.join(PROMETHEUS_DIR, 'rules')).filter((f) =>
      f.endsWith('.yml'),
    );
    const ruleGroups = ruleFiles.flatMap(
      (f) =>
        (
          parse(readFileSync(path.join(PROMETHEUS_DIR, 'rules', f), 'utf8')) as {
            groups: { name: string }[];
          }
        ).groups,
    );
    const notes: string[] = [];
    const scraped: string[] = [];
    let dir = '';
    let url = '';
    let child: ChildProcess | undefined;
    let log = '';

    const api = async <T>(query: string): Promise<T> => {
      const response = await fetch(`${url}${query}`);
      const body = (await response.json()) as { status: string; data: T };
      expect(body.status).toBe('success');
      return body.data;
    };

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'prometheus-test-'));
      mkdirSync(path.join(dir, 'data'));
      const jobs: ScrapeJob[] = [];
      for (const job of committed.scrape_configs) {
        if (job.job_name === 'prometheus') continue;
        const port = LOCAL_TARGETS[job.job_name];
        if (port === undefined) throw new Error(`no local target for job ${job.job_name}`);
        if (!REQUIRED_JOBS.includes(job.job_name) && !(await listening(port))) {
          notes.push(`${job.job_name}: nothing listens on ${port || 'any local port'}, left out`);
          continue;
        }
        const { dns_sd_configs: _discovery, static_configs: _static, ...rest } = job;
        jobs.push({ ...rest, static_configs: [{ targets: [`127.0.0.1:${port}`] }] });
        scraped.push(job.job_name);
      }
      const local = {
        global: {
          ...committed.global,
          scrape_interval: '1s',
          scrape_timeout: '1s',
          evaluation_interval: '1s',
        },
        // The committed rule files, by absolute path: the very files production loads.
        rule_files: committed.rule_files.map((pattern) => path.join(PROMETHEUS_DIR, pattern)),
        scrape_configs: jobs,
      };
      writeFileSync(path.join(dir, 'prometheus.yml'), stringify(local));

      const port = await freePort(19090);
      url = `http://127.0.0.1:${port}`;
      child = spawn(
        prometheus.ok ? prometheus.path : 'prometheus',
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
        try {
          if ((await fetch(`${url}/-/ready`)).ok) break;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`prometheus not ready: ${log}`);
        await sleep(200);
      }
      if (notes.length > 0) console.info(`prometheus test notes:\n  ${notes.join('\n  ')}`);
    });

    afterAll(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('scrapes the api and the gateway, and every other process that is listening', async () => {
      expect(scraped).toEqual(expect.arrayContaining(REQUIRED_JOBS));
      type Target = { labels: { job: string }; health: string; lastError: string };
      let targets: Target[] = [];
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        targets = (await api<{ activeTargets: Target[] }>('/api/v1/targets')).activeTargets;
        if (targets.length === scraped.length && targets.every((t) => t.health === 'up')) break;
        await sleep(500);
      }
      const health = Object.fromEntries(
        targets.map((t) => [
          t.labels.job,
          t.health === 'up' ? 'up' : `${t.health}: ${t.lastError}`,
        ]),
      );
      expect(health).toEqual(Object.fromEntries(scraped.map((job) => [job, 'up'])));
    });

    it('finds the series the dashboards chart for the api and the gateway', async () => {
      const names = async (job: string) => {
        const { result } = await api<{ result: { metric: { __name__: string } }[] }>(
          `/api/v1/query?query=${encodeURIComponent(`count by (__name__) ({job="${job}"})`)}`,
        );
        return result.map((r) => r.metric.__name__);
      };
      // Scrapes come every second; the api answered Prometheus' own scrapes by now.
      await sleep(2000);
      expect(await names('api')).toEqual(
        expect.arrayContaining([
          'http_requests_total',
          'http_request_duration_seconds_bucket',
          'nodejs_eventloop_lag_p99_seconds',
        ]),
      );
      expect(await names('gateway')).toEqual(
        expect.arrayContaining(['gateway_ws_connections', 'process_resident_memory_bytes']),
      );
    });

    it('loads every alert rule group and evaluates it without errors', async () => {
      type Group = {
        name: string;
        lastEvaluation: string;
        rules: { name: string; health: string; lastError?: string }[];
      };
      let groups: Group[] = [];
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        groups = (await api<{ groups: Group[] }>('/api/v1/rules')).groups;
        const evaluated = groups.every((g) => !g.lastEvaluation.startsWith('0001-'));
        if (groups.length === ruleGroups.length && evaluated) break;
        await sleep(500);
      }
      expect(groups.map((g) => g.name).sort()).toEqual(ruleGroups.map((g) => g.name).sort());
      const unhealthy = groups
        .flatMap((g) => g.rules)
        .filter((r) => r.health !== 'ok')
        .map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
      expect(unhealthy).toEqual([]);
    });
  },
);
