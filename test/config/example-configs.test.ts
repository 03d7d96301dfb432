import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { DEFAULT_SCHEDULES } from '../../src/config/schedule-schema.js';
import { DEMO_PORTS } from '../../src/demo/start-demo-servers.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The annotated examples are documentation; these tests keep them valid. */
describe('example configs', () => {
  it('examples/deploy.config.yaml is a valid config, with the app, stages, hosts and secrets it documents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ops-example-'));
    const source = readFileSync(join(ROOT, 'examples/deploy.config.yaml'), 'utf8').replaceAll('/etc/ops/secrets/', `${dir}/`);
    for (const name of ['crm-staging-app-key', 'crm-prod-app-key']) cpSync(join(ROOT, 'examples/deploy.config.yaml'), join(dir, name));
    const config = parseConfig(source, join(dir, 'ops.config.yaml'), { CRM_STAGING_DB_PASSWORD: 's', CRM_PROD_DB_PASSWORD: 'p', SLACK_WEBHOOK_URL: 'https://hooks.example/x' });
    expect(config.apps.map((a) => [a.name, a.stages.map((s) => `${s.name}@${s.host}`)])).toEqual([['crm', ['staging@staging1', 'prod@prod1']]]);
    expect(config.apps[0]!.approval.before).toEqual(['prod']);
    expect(Object.keys(config.apps[0]!.stages[1]!.secrets)).toEqual(['DB_PASSWORD', 'APP_KEY']);
    expect(config.hosts.prod1!.ssh).toEqual({ user: 'deploy', host: 'prod1.example.com' });
  });

  it('the main example\'s demo ports default to the ports `ops up` starts the demo servers on', () => {
    const text = readFileSync(join(ROOT, 'ops.config.example.yaml'), 'utf8');
    expect(text).toContain(`\${OPS_DEMO_PG_PORT:-${DEMO_PORTS.postgres}}`);
    expect(text).toContain(`\${OPS_DEMO_MY_PORT:-${DEMO_PORTS.mariadb}}`);
    expect(parse(text).demo).toEqual({ postgres: true, mariadb: true });
  });

  it('the main example declares exactly the default schedules, so a config copied from it keeps the watchdog', () => {
    const file = join(ROOT, 'ops.config.example.yaml');
    // Only the schedules matter here; the demo's secrets exist once `ops up` has made them.
    const config = parseConfig(readFileSync(file, 'utf8'), file, {}, 'defer');
    expect(config.schedules).toEqual(DEFAULT_SCHEDULES);
  });
});
