/**
 * monitoring/: the Prometheus configuration and alert rules load (promtool), the alerts fire
 * when they should (promtool's rule unit tests), Alertmanager's routing loads (amtool), and
 * the Grafana dashboards are well formed, use the provisioned datasource, parse as PromQL and
 * query only metrics that some process really exports.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ensureDebianPackage } from '../../support/debian';
import { loadCompose, REPO_ROOT } from './support/compose';
import { isKnownMetric, metricCatalog, metricNamesIn } from './support/metrics-catalog';

const MONITORING = path.join(REPO_ROOT, 'monitoring');
const PROMETHEUS_DIR = path.join(MONITORING, 'prometheus');
const DASHBOARDS_DIR = path.join(MONITORING, 'grafana/dashboards');

const promtool = ensureDebianPackage('prometheus', 'promtool');
const amtool = ensureDebianPackage('prometheus-alertmanager', 'amtool');
const scratch = mkdtempSync(path.join(tmpdir(), 'monitoring-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(binary: string, args: string[], cwd = PROMETHEUS_DIR) {
  const result = spawnSync(binary, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string }[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

const dashboards = readdirSync(DASHBOARDS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({
    file,
    dashboard: JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard,
  }));

interface RuleGroup {
  name: string;
  rules: { alert?: string; record?: string; expr: string; labels?: Record<string, string> }[];
}
const ruleFiles = readdirSync(path.join(PROMETHEUS_DIR, 'rules')).filter((f) => f.endsWith('.yml'));
const rules = ruleFiles.flatMap(
  (file) =>
    (
      parse(readFileSync(path.join(PROMETHEUS_DIR, 'rules', file), 'utf8')) as {
        groups: RuleGroup[];
      }
    ).groups,
);

describe('Prometheus', () => {
  it.skipIf(!promtool.ok)(
    'loads prometheus.yml and the rule files it names (promtool check config)',
    () => {
      const { status, output } = run(promtool.ok ? promtool.path : '', [
        'check',
        'config',
        'prometheus.yml',
      ]);
      expect(output).toContain('SUCCESS');
      expect(status, output).toBe(0);
    },
  );

  it.skipIf(!promtool.ok)('loads every alert rule (promtool check rules)', () => {
    const files = ruleFiles.map((f) => `rules/${f}`);
    const { status, output } = run(promtool.ok ? promtool.path : '', ['check', 'rules', ...files]);
    expect(status, output).toBe(0);
  });

  it.skipIf(!promtool.ok)(
    'fires the alerts on the situations they describe (promtool test rules)',
    () => {
      const { status, output } = run(promtool.ok ? promtool.path : '', [
        'test',
        'rules',
        'tests/alerts.test.yml',
      ]);
      expect(status, output).toBe(0);
    },
  );

  it('alerts on failed sagas, stuck orders, compensations, webhook backlog and schedule-to-start', () => {
    const alerts = rules.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toEqual(
      expect.arrayContaining([
        'SagaFailureRateHigh',
        'OrdersStuck',
        'CompensationFailing',
        'CompensationFailingRepeatedly',
        'WebhookBacklogHigh',
        'ActivityScheduleToStartLatencyHigh',
        'WorkflowTaskScheduleToStartLatencyHigh',
      ]),
    );
    for (const rule of rules.flatMap((g) => g.rules)) {
      if (rule.alert) expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity);
    }
  });

  it('scrapes each process on the metrics port compose gives it', () => {
    const config = parse(readFileSync(path.join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: {
        job_name: string;
        dns_sd_configs?: { names: string[]; port: number }[];
      }[];
    };
    const ports = Object.fromEntries(
      config.scrape_configs
        .filter((j) => j.dns_sd_configs)
        .map((j) => [
          j.job_name,
          `${j.dns_sd_configs![0]!.names[0]}:${j.dns_sd_configs![0]!.port}`,
        ]),
    );
    const compose = loadCompose('docker-compose.yml');
    const env = (service: string, key: string) =>
      String(compose.services[service]!.environment![key]);
    expect(ports).toEqual({
      api: 'api:8000',
      gateway: 'gateway:8001',
      worker: `worker:${env('worker', 'WORKER_METRICS_PORT')}`,
      'worker-temporal-sdk': `worker:${env('worker', 'WORKER_SDK_METRICS_PORT')}`,
      dispatcher: `dispatcher:${env('dispatcher', 'DISPATCHER_METRICS_PORT')}`,
    });
    expect(compose.services.temporal!.environment!.PROMETHEUS_ENDPOINT).toBe('0.0.0.0:9090');
  });
});

describe('Alertmanager', () => {
  it.skipIf(!amtool.ok)('loads its routing and receivers (amtool check-config)', () => {
    const { status, output } = run(amtool.ok ? amtool.path : '', [
      'check-config',
      path.join(MONITORING, 'alertmanager/config.yml'),
    ]);
    expect(status, output).toBe(0);
  });

  it('pages on critical alerts and sends warnings to the team', () => {
    const config = parse(
      readFileSync(path.join(MONITORING, 'alertmanager/config.yml'), 'utf8'),
    ) as {
      route: { receiver: string; routes: { receiver: string; matchers: string[] }[] };
    };
    expect(config.route.receiver).toBe('orders-team');
    expect(config.route.routes).toContainEqual(
      expect.objectContaining({ receiver: 'orders-oncall', matchers: ['severity = "critical"'] }),
    );
  });
});

describe('Grafana', () => {
  const datasources = parse(
    readFileSync(path.join(MONITORING, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
  ) as { datasources: { uid: string; type: string; url: string }[] };
  const provider = parse(
    readFileSync(
      path.join(MONITORING, 'grafana/provisioning/dashboards/order-platform.yml'),
      'utf8',
    ),
  ) as { providers: { options: { path: string } }[] };

  it('provisions the Prometheus datasource and the dashboards folder compose mounts', () => {
    expect(datasources.datasources).toEqual([
      expect.objectContaining({
        uid: 'prometheus',
        type: 'prometheus',
        url: 'http://prometheus:9090',
      }),
    ]);
    const grafana = loadCompose('docker-compose.yml').services.grafana!;
    const mount = grafana.volumes!.find((v) => v.startsWith('./monitoring/grafana/dashboards:'));
    expect(mount?.split(':')[1]).toBe(provider.providers[0]!.options.path);
  });

  it('has the four dashboards: orders overview, API, gateway, workers and Temporal', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([
      'orders-api',
      'orders-gateway',
      'orders-overview',
      'orders-worker',
    ]);
    expect(new Set(dashboards.map((d) => d.dashboard.title)).size).toBe(dashboards.length);
  });

  it.each(dashboards)(
    '$file: panels are laid out, use the datasource and carry queries',
    ({ dashboard }) => {
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of dashboard.panels) {
        expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
        if (panel.type === 'row') continue;
        expect(panel.datasource?.uid, panel.title).toBe('prometheus');
        expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        for (const target of panel.targets ?? [])
          expect(target.expr.trim(), panel.title).not.toBe('');
      }
    },
  );

  it.skipIf(!promtool.ok)('every dashboard query is valid PromQL', () => {
    const groups = dashboards.map(({ dashboard }) => ({
      name: dashboard.uid,
      rules: dashboard.panels
        .flatMap((p) => p.targets ?? [])
        .map((t, i) => ({
          record: `dashboard:${dashboard.uid.replace(/-/g, '_')}:${i}`,
          expr: t.expr,
        })),
    }));
    const file = path.join(scratch, 'dashboard-queries.yml');
    writeFileSync(file, stringify({ groups }));
    const { status, output } = run(promtool.ok ? promtool.path : '', ['check', 'rules', file]);
    expect(status, output).toBe(0);
  });
});

describe('the metrics dashboards and alerts query', () => {
  const catalog = metricCatalog();
  const queries = [
    ...dashboards.flatMap(({ file, dashboard }) =>
      dashboard.panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({ where: `${file} "${p.title}"`, expr: t.expr })),
      ),
    ),
    ...rules.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
  ];

  it('finds the metric names in an expression', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, step) (rate(saga_step_duration_seconds_bucket{outcome="fault"}[5m]))) / clamp_min(sum(rate(x_total[5m])), 1e-9) > 0.2 and absent(up{job="api"} == 1)',
      ),
    ).toEqual(['saga_step_duration_seconds_bucket', 'x_total', 'up']);
  });

  it('are all exported by some process, the Temporal SDK or Prometheus', () => {
    const unknown = queries.flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !isKnownMetric(catalog, name))
        .map((name) => `${name} (${where})`),
    );
    expect(unknown).toEqual([]);
  });

  it('cover every metric the processes export under their own names', () => {
    const queried = new Set(
      queries.flatMap(({ expr }) =>
        metricNamesIn(expr).map((n) => n.replace(/_(bucket|count|sum)$/, '')),
      ),
    );
    const own = [...catalog.names].filter((n) =>
      /^(http_|gateway_|saga_|kafka_|orders_|webhook_)/.test(n),
    );
    expect(own.filter((n) => !queried.has(n))).toEqual([]);
  });
});

describe('promtool itself', () => {
  it.skipIf(!promtool.ok)('is a version that understands our rule tests', () => {
    const version = execFileSync(promtool.ok ? promtool.path : 'false', ['--version'], {
      encoding: 'utf8',
    });
    expect(version).toMatch(/promtool, version [2-9]\./);
  });
});
