import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startMetricsServer } from '../../src/workers/metrics-server.js';
import { scrape, type Exposition } from '../support/exposition.js';
import { metricsFixtureConfig, writeMetricsFixture } from '../support/metrics-fixture.js';
import { testServers } from '../support/servers.js';

const DASHBOARDS = fileURLToPath(new URL('../../dashboards/', import.meta.url));

/** What the issue asks the endpoint to serve, at least. */
const ISSUE_METRICS = [
  'ops_last_db_dump_age_minutes',
  'ops_last_verify_restore_age_hours',
  'ops_backup_success_rate_7d',
  'ops_verify_success_rate_7d',
  'ops_restore_duration_seconds_last',
  'ops_restore_rto_seconds_last',
  'ops_deploys_total',
  'ops_deploy_duration_seconds_last',
  'ops_deploy_step_duration_seconds_last',
  'ops_backup_step_duration_seconds',
];

interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
  panels?: GrafanaPanel[];
}

interface GrafanaDashboard {
  schemaVersion: number;
  panels: GrafanaPanel[];
  templating: { list: Array<{ name: string; type: string; query: string | { query: string }; definition?: string }> };
}

interface RulesFile {
  groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; for: string; labels: { severity: string }; annotations: { summary: string } }> }>;
}

const dashboard = JSON.parse(readFileSync(join(DASHBOARDS, 'grafana-ops.json'), 'utf8')) as GrafanaDashboard;
const rules = parse(readFileSync(join(DASHBOARDS, 'prometheus-rules.yml'), 'utf8')) as RulesFile;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const dashboardExprs = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...dashboard.templating.list.flatMap((v) => [typeof v.query === 'string' ? v.query : v.query.query, v.definition ?? '']),
];
const ruleExprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr));

/**
 * Metric names in a PromQL expression: label values and other string literals are dropped first,
 * so {job="ops_worker"} names no metric. Every ops metric is a gauge or counter, so a name is used
 * as served: no _bucket/_sum/_count to strip.
 */
function metricNames(expr: string): string[] {
  return [...expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""').matchAll(/\bops_[a-z0-9_]+\b/g)].map((m) => m[0]);
}

const served = (exposition: Exposition) => new Set(exposition.samples.map((s) => s.name));

describe('dashboards/ name only metrics the endpoint serves', () => {
  const dir = mkdtempSync(join(testServers().scratchRoot, 'metric-names-'));
  let ops: Exposition;
  let crm: Exposition;

  beforeAll(async () => {
    await writeMetricsFixture(dir);
    for (const [prefix, set] of [
      [undefined, (e: Exposition) => (ops = e)],
      ['crm_ops_', (e: Exposition) => (crm = e)],
    ] as const) {
      const server = await startMetricsServer(metricsFixtureConfig(dir, prefix), 0);
      try {
        set(await scrape(server.url));
      } finally {
        await server.close();
      }
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves every metric the issue lists, each with samples for the fixture', () => {
    const missing = ISSUE_METRICS.filter((name) => !served(ops).has(name));
    expect(missing).toEqual([]);
  });

  it('every metric a Grafana panel or variable queries is served', () => {
    const names = new Set(dashboardExprs.flatMap(metricNames));
    expect(names.size).toBeGreaterThan(0);
    expect([...names].filter((name) => !served(ops).has(name))).toEqual([]);
  });

  it('the Grafana dashboard shows every metric served', () => {
    const names = new Set(dashboardExprs.flatMap(metricNames));
    expect([...served(ops)].filter((name) => !names.has(name))).toEqual([]);
  });

  it('every metric an alert rule queries is served', () => {
    const names = new Set(ruleExprs.flatMap(metricNames));
    expect(names.size).toBeGreaterThan(0);
    expect([...names].filter((name) => !served(ops).has(name))).toEqual([]);
  });

  it('metrics.prefix crm_ops_ serves the same metrics as crm_ops_*', () => {
    expect(crm.types.size).toBe(ops.types.size);
    expect([...crm.types.keys()].filter((name) => !name.startsWith('crm_ops_'))).toEqual([]);
    expect([...crm.types.keys()].map((name) => name.replace(/^crm_ops_/, 'ops_')).sort()).toEqual([...ops.types.keys()].sort());
    const series = (e: Exposition, prefix: string) => e.samples.map((s) => `${s.name.replace(prefix, 'ops_')}${JSON.stringify(s.labels)}`);
    expect(series(crm, 'crm_ops_')).toEqual(series(ops, 'ops_'));
  });
});

describe('dashboards/ are well formed', () => {
  it('the Grafana dashboard queries through the datasource variable, with unique panel ids', () => {
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const queried = panels.filter((p) => p.type !== 'row');
    expect(queried.filter((p) => (p.targets ?? []).length === 0).map((p) => p.title)).toEqual([]);
    expect(queried.filter((p) => p.datasource?.uid !== '${datasource}' || p.targets!.some((t) => t.datasource?.uid !== '${datasource}')).map((p) => p.title)).toEqual([]);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
  });

  it('every alert rule has an expression, a for, a severity and a summary, and a unique name', () => {
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.length).toBeGreaterThan(0);
    for (const rule of all) {
      expect(rule, rule.alert).toMatchObject({ alert: expect.stringMatching(/^Ops[A-Za-z]+$/), expr: expect.any(String), for: expect.stringMatching(/^\d+[smh]$/) });
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(0);
    }
    expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
  });
});
