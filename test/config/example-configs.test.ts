import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configSecrets } from '../../src/config/config-secrets.js';
import { PendingDemoSecret } from '../../src/config/demo-secrets.js';
import { stageHosts } from '../../src/config/lookups.js';
import { parseConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { runCli } from '../support/run-cli.js';
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
    expect(config.apps.map((a) => [a.name, a.stages.map((s) => `${s.name}@${stageHosts(s).map((h) => h.host).join('+')}`)])).toEqual([['crm', ['staging@staging1', 'prod@prod1+prod2']]]);
    expect(config.apps[0]!.stages[1]!.rollout).toEqual({ parallel: 1 });
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

  it('the main example passes `ops config check` as shipped, in a clean copy with no .ops directory, and says to run ops up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ops-fresh-clone-'));
    cpSync(join(ROOT, 'ops.config.example.yaml'), join(dir, 'ops.config.example.yaml'));
    cpSync(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
    const result = await runCli(['--config', join(dir, 'ops.config.example.yaml'), 'config', 'check']);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')).toEqual([
      `${join(dir, 'ops.config.example.yaml')}: OK`,
      '  targets: crm-db (postgres), shop-db (mysql), demo-files (files)',
      "  note: the demo's secret files .ops/demo/reader.password, .ops/demo/pg.admin-password, .ops/demo/my.admin-password do not exist yet: run `ops up` first to create them",
    ]);
    expect(result.exitCode).toBe(0);
  });
});

describe('the demo\'s secret files before `ops up` made them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ops-demo-secrets-'));
  const file = join(dir, 'ops.config.yaml');
  const config = (demo: boolean, password: string) =>
    `demo: { postgres: ${demo} }\nstateDir: state\ndatabases: [{ name: app, url: "postgres://u@127.0.0.1/app", password: "${password}" }]\nbackup: { verify: { postgres: { url: "postgres://a@127.0.0.1/postgres" } } }\n`;
  const load = (source: string) => {
    try {
      // A database's secrets appear twice: under databases and under targets.
      return [...new Set(configSecrets(parseConfig(source, file, {}, 'require')))].map((s) => [s.constructor.name, s.source]);
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it.each([
    ['with the demo on, a missing file in its directory is pending', config(true, 'file:state/demo/reader.password'), [['PendingDemoSecret', 'file state/demo/reader.password']]],
    ['with the demo off, the same missing file is an error', config(false, 'file:state/demo/reader.password'), [`databases[0].password: cannot read secret file ${join(dir, 'state/demo/reader.password')}: ENOENT`]],
    ['a missing file outside the demo\'s directory is an error', config(true, 'file:state/other.password'), [`databases[0].password: cannot read secret file ${join(dir, 'state/other.password')}: ENOENT`]],
    ['an unset variable is an error', config(true, '${NOT_SET}'), ['databases[0].password: environment variable NOT_SET is not set']],
  ])('%s', (_, source, expected) => {
    expect(load(source)).toEqual(expected);
  });

  it('once ops up made the file, it is read as usual', () => {
    mkdirSync(join(dir, 'state/demo'), { recursive: true });
    writeFileSync(join(dir, 'state/demo/made.password'), 'pw\n');
    expect(load(config(true, 'file:state/demo/made.password'))).toEqual([['Secret', 'file state/demo/made.password']]);
  });

  it('reading a pending secret says what to do', () => {
    const secret = configSecrets(parseConfig(config(true, 'file:state/demo/reader.password'), file, {}))[0]!;
    expect(secret).toBeInstanceOf(PendingDemoSecret);
    expect(() => secret.reveal()).toThrow(
      `secret from file state/demo/reader.password is not available to this process: ${join(dir, 'state/demo/reader.password')} does not exist yet; run \`ops up\` first to create the demo's secrets`,
    );
  });
});
