import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.js';
import { expandEnv, resolveSecret, type Env } from '../../src/config/interpolate.js';
import { chooseConfigFile, loadConfig, parseConfig } from '../../src/config/load-config.js';
import { parseLocation } from '../../src/config/location.js';
import { Secret } from '../../src/config/secret.js';
import { ConfigError } from '../../src/core/errors.js';
import { configProblems } from '../support/config-problems.js';
import { CRM_PROD, CRM_STAGING, crmAppYaml } from '../support/crm-app-yaml.js';

const FILE = '/etc/ops/ops.config.yaml';
const VERIFY_BOTH = `
backup:
  verify:
    postgres: { url: postgres://admin@scratch-pg }
    mysql: { url: mysql://root@scratch-my }
`;

const tmp = mkdtempSync(join(tmpdir(), 'ops-config-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const problemsOf = (source: string, env: Env = {}, file = FILE): string[] => configProblems(() => parseConfig(source, file, env));

describe('parseConfig: valid configs', () => {
  it('an empty file gets every default, with paths resolved against the config file directory', () => {
    expect(parseConfig('', FILE, {})).toStrictEqual({
      timeZone: 'Europe/Prague',
      stateDir: '/etc/ops/.ops',
      repository: '/etc/ops/.ops/backups',
      reports: '/etc/ops/.ops/reports',
      ssh: { options: [] },
      notify: { rateLimitMinutes: 5, webhooks: [] },
      hosts: {},
      apps: [],
      databases: [],
      files: [],
      restore: { servers: {} },
      backup: {
        concurrency: 2,
        mysqlCompression: 'zstd',
        offsite: [],
        retention: { daily: 7, weekly: 4, monthly: 12, keepLast: 3 },
        verify: { dropStaleAfterHours: 6 },
        dumpTimeoutMinutes: 240,
        unreachableRetryMinutes: 15,
      },
      health: { rpoHours: 24, verifyMaxAgeHours: 48, successRateGoal: 0.99, consecutiveVerifyFailures: 2 },
      metrics: { port: 9464, prefix: 'ops_' },
      demo: { postgres: false, mariadb: false },
      schedules: {
        'nightly-backup': { workflow: 'nightlyBackup', cron: '0 2 * * *', catchupWindowHours: 6, overlap: 'SKIP' },
        'monthly-drill': { workflow: 'restoreDrill', cron: '0 4 1 * *', catchupWindowHours: 6, overlap: 'SKIP' },
        'backup-watchdog': { workflow: 'backupWatchdog', cron: '30 * * * *', catchupWindowHours: 1, overlap: 'SKIP' },
      },
      file: FILE,
      targets: [],
    });
  });

  it('restore.servers: a server by name, its URL parsed (no database needed), its password a Secret', () => {
    const config = parseConfig('restore:\n  servers:\n    spare-pg: { url: "postgres://ops_admin@db2:5433", password: "${SPARE}" }\n', FILE, { SPARE: 's3cret' });
    const spare = config.restore.servers['spare-pg']!;
    expect(spare.url).toStrictEqual({ engine: 'postgres', user: 'ops_admin', host: 'db2', port: 5433, database: '' });
    expect(spare.password?.reveal()).toBe('s3cret');
    expect(JSON.stringify(spare)).not.toContain('s3cret');
  });

  it('a minimal postgres target: the URL is parsed, assertions default to [], the target gets its kind', () => {
    const config = parseConfig(
      `
databases:
  - name: app
    url: postgres://ops@db/app
backup:
  verify:
    postgres:
      url: postgres://admin@scratch
`,
      FILE,
      {},
    );
    const app = { name: 'app', url: { engine: 'postgres', user: 'ops', host: 'db', port: 5432, database: 'app' }, assertions: [] };
    expect(config.databases).toStrictEqual([app]);
    expect(config.targets).toStrictEqual([{ kind: 'postgres', ...app }]);
    expect(config.backup).toStrictEqual({
      concurrency: 2,
      mysqlCompression: 'zstd',
      offsite: [],
      retention: { daily: 7, weekly: 4, monthly: 12, keepLast: 3 },
      verify: {
        postgres: { url: { engine: 'postgres', user: 'admin', host: 'scratch', port: 5432, database: '' } },
        dropStaleAfterHours: 6,
      },
      dumpTimeoutMinutes: 240,
      unreachableRetryMinutes: 15,
    });
  });

  describe('a full config', () => {
    const dir = join(tmp, 'full');
    mkdirSync(join(dir, 'secrets'), { recursive: true });
    writeFileSync(join(dir, 'secrets/crm.txt'), 'crm-file-secret\n');
    writeFileSync(join(tmp, 'scratch-my.txt'), 'scratch-my-secret');
    const file = join(dir, 'ops.config.yaml');
    const env = { OPS_HOME: '/opt/ops', PGHOST: 'pg.internal', SHOP_PASSWORD: 'shop-env-secret', SCRATCH_PG_PASSWORD: 'scratch-pg-secret' };
    const source = `
timeZone: UTC
stateDir: \${OPS_HOME}/state
repository: /var/backups/ops
reports: ./reports
ssh:
  identityFile: /etc/ops/id_ed25519
  knownHostsFile: \${OPS_HOME}/known_hosts
  options: [ProxyJump=bastion]
databases:
  - name: shop-db
    url: postgres://ops_reader@\${PGHOST}:6432/shop
    password: \${SHOP_PASSWORD}
    assertions:
      - name: companies exist
        sql: SELECT count(*) FROM companies
        min: 1
      - sql: SELECT count(*) FROM orders WHERE total < 0
        equals: 0
  - name: crm
    url: mariadb://backup@crm.internal/crm
    password: file:secrets/crm.txt
files:
  - name: uploads
    source: ssh://deploy@web1:2222/srv/uploads
    exclude: ['*.tmp', cache/]
  - name: etc_copy
    source: ./etc-copy
backup:
  concurrency: 4
  mysqlCompression: gzip
  offsite: ssh://backup@offsite.example/srv/ops
  retention: { daily: 14, weekly: 8, monthly: 0, keepLast: 1 }
  verify:
    postgres:
      url: postgresql://postgres@scratch-pg
      password: \${SCRATCH_PG_PASSWORD}
    mysql:
      url: mysql://root@scratch-my:3307
      password: file:${join(tmp, 'scratch-my.txt')}
    dropStaleAfterHours: 12
  dumpTimeoutMinutes: 60
metrics: { port: 9100, prefix: nightly_ }
demo: { postgres: true, mariadb: true }
${crmAppYaml([CRM_STAGING])}schedules:
  nightly:
    workflow: nightlyBackup
    cron: "30  1 * * *"
    args: { targets: [shop-db] }
    catchupWindowHours: 12
  weekly-deploy:
    workflow: deployPipeline
    cron: 0 9 * * MON
    args: { app: crm, ref: main, startedBy: "schedule:weekly-deploy" }
    paused: true
    overlap: BUFFER_ONE
    note: until the release train starts
`;
    const config = parseConfig(source, file, env);
    const shop = {
      name: 'shop-db',
      url: { engine: 'postgres', user: 'ops_reader', host: 'pg.internal', port: 6432, database: 'shop' },
      password: expect.any(Secret),
      assertions: [
        { name: 'companies exist', sql: 'SELECT count(*) FROM companies', min: 1 },
        { sql: 'SELECT count(*) FROM orders WHERE total < 0', equals: 0 },
      ],
    };
    const crm = {
      name: 'crm',
      url: { engine: 'mysql', user: 'backup', host: 'crm.internal', port: 3306, database: 'crm' },
      password: expect.any(Secret),
      assertions: [],
    };
    const uploads = { name: 'uploads', source: { kind: 'ssh', user: 'deploy', host: 'web1', port: 2222, path: '/srv/uploads' }, exclude: ['*.tmp', 'cache/'] };
    const etc = { name: 'etc_copy', source: { kind: 'local', path: join(dir, 'etc-copy') }, exclude: [] };

    it('keeps every value given, expanded and parsed', () => {
      expect(config).toEqual({
        timeZone: 'UTC',
        stateDir: '/opt/ops/state',
        repository: '/var/backups/ops',
        reports: join(dir, 'reports'),
        ssh: { identityFile: '/etc/ops/id_ed25519', knownHostsFile: '/opt/ops/known_hosts', options: ['ProxyJump=bastion'] },
        notify: { rateLimitMinutes: 5, webhooks: [] },
        hosts: { web1: { ssh: { user: 'deploy', host: 'web1' } } },
        apps: [
          {
            name: 'crm',
            repository: '/srv/git/crm',
            path: '/srv/crm',
            exclude: [],
            keepReleases: 5,
            compose: { files: ['docker-compose.yml'], switch: 'up' },
            build: { once: false },
            stages: [
              {
                name: 'staging',
                host: 'web1',
                rollout: { parallel: 1 },
                baseUrl: 'https://staging.crm',
                health: { url: ['https://staging.crm/up'], expectStatus: 200, timeoutSeconds: 120, intervalSeconds: 2, stableSeconds: 10 },
                env: {},
                secrets: {},
              },
            ],
            approval: { before: [], timeoutMinutes: 60 },
            smoke: { timeoutMinutes: 15 },
          },
        ],
        databases: [shop, crm],
        files: [uploads, etc],
        restore: { servers: {} },
        backup: {
          concurrency: 4,
          mysqlCompression: 'gzip',
          offsite: [{ kind: 'ssh', user: 'backup', host: 'offsite.example', path: '/srv/ops' }],
          retention: { daily: 14, weekly: 8, monthly: 0, keepLast: 1 },
          verify: {
            postgres: { url: { engine: 'postgres', user: 'postgres', host: 'scratch-pg', port: 5432, database: '' }, password: expect.any(Secret) },
            mysql: { url: { engine: 'mysql', user: 'root', host: 'scratch-my', port: 3307, database: '' }, password: expect.any(Secret) },
            dropStaleAfterHours: 12,
          },
          dumpTimeoutMinutes: 60,
          unreachableRetryMinutes: 15,
        },
        health: { rpoHours: 24, verifyMaxAgeHours: 48, successRateGoal: 0.99, consecutiveVerifyFailures: 2 },
        metrics: { port: 9100, prefix: 'nightly_' },
        demo: { postgres: true, mariadb: true },
        schedules: {
          nightly: { workflow: 'nightlyBackup', cron: '30 1 * * *', args: { targets: ['shop-db'] }, catchupWindowHours: 12, overlap: 'SKIP' },
          'weekly-deploy': {
            workflow: 'deployPipeline',
            cron: '0 9 * * MON',
            args: { app: 'crm', ref: 'main', startedBy: 'schedule:weekly-deploy' },
            paused: true,
            catchupWindowHours: 6,
            overlap: 'BUFFER_ONE',
            note: 'until the release train starts',
          },
        },
        file,
        targets: [
          { kind: 'postgres', ...shop },
          { kind: 'mysql', ...crm },
          { kind: 'files', ...uploads },
          { kind: 'files', ...etc },
        ],
      });
    });

    it.each<[string, () => Secret | undefined, string, string]>([
      ['databases[0].password', () => config.databases[0]!.password, 'shop-env-secret', 'env SHOP_PASSWORD'],
      ['databases[1].password (file relative to the config, trailing newline dropped)', () => config.databases[1]!.password, 'crm-file-secret', 'file secrets/crm.txt'],
      ['backup.verify.postgres.password', () => config.backup.verify.postgres!.password, 'scratch-pg-secret', 'env SCRATCH_PG_PASSWORD'],
      ['backup.verify.mysql.password (absolute file)', () => config.backup.verify.mysql!.password, 'scratch-my-secret', `file ${join(tmp, 'scratch-my.txt')}`],
    ])('%s resolves to a Secret', (_path, get, value, origin) => {
      const secret = get();
      expect(secret).toBeInstanceOf(Secret);
      expect(secret!.reveal()).toBe(value);
      expect(secret!.source).toBe(origin);
    });

    it('no secret value appears in JSON, String() or util.inspect of the whole config', () => {
      const printed = [JSON.stringify(config), String(config.databases[0]!.password), inspect(config, { depth: Infinity }), `${config.targets[1]!.kind === 'mysql' ? config.targets[1].password : ''}`];
      for (const text of printed) {
        for (const value of ['shop-env-secret', 'crm-file-secret', 'scratch-pg-secret', 'scratch-my-secret']) expect(text).not.toContain(value);
      }
      expect(JSON.stringify(config.databases[0])).toBe(
        '{"name":"shop-db","url":{"engine":"postgres","user":"ops_reader","host":"pg.internal","port":6432,"database":"shop"},"password":"[redacted]",' +
          '"assertions":[{"name":"companies exist","sql":"SELECT count(*) FROM companies","min":1},{"sql":"SELECT count(*) FROM orders WHERE total < 0","equals":0}]}',
      );
      expect(inspect(config.backup.verify.postgres)).toBe(
        "{\n  url: {\n    engine: 'postgres',\n    user: 'postgres',\n    host: 'scratch-pg',\n    port: 5432,\n    database: ''\n  },\n  password: Secret(env SCRATCH_PG_PASSWORD)\n}",
      );
    });
  });
});

describe('parseConfig: ${VAR} and ${VAR:-default} in non-secret strings', () => {
  it.each<[string, string, Env, string]>([
    ['stateDir', 'stateDir: ${OPS_STATE}', { OPS_STATE: '/srv/ops' }, '/srv/ops'],
    ['stateDir default used when unset', 'stateDir: ${OPS_STATE:-/var/lib/ops}', {}, '/var/lib/ops'],
    ['stateDir default used when empty', 'stateDir: ${OPS_STATE:-/var/lib/ops}', { OPS_STATE: '' }, '/var/lib/ops'],
    ['stateDir set value wins over the default', 'stateDir: ${OPS_STATE:-/var/lib/ops}', { OPS_STATE: '/srv/ops' }, '/srv/ops'],
    ['relative after expansion resolves against the file', 'stateDir: ${OPS_STATE:-state}/x', {}, '/etc/ops/state/x'],
  ])('%s', (_name, yaml, env, stateDir) => {
    expect(parseConfig(yaml, FILE, env).stateDir).toBe(stateDir);
  });

  it('expands inside database URLs before parsing them', () => {
    const config = parseConfig(`databases:\n  - name: app\n    url: postgres://\${PGUSER:-ops}@\${PGHOST}:\${PGPORT:-5433}/app\n${VERIFY_BOTH}`, FILE, { PGHOST: 'db1' });
    expect(config.databases[0]!.url).toStrictEqual({ engine: 'postgres', user: 'ops', host: 'db1', port: 5433, database: 'app' });
  });

  it('expands inside locations before parsing them', () => {
    const config = parseConfig('backup:\n  offsite: ssh://${OFFSITE_HOST}${OFFSITE_PATH:-/srv/offsite}\n', FILE, { OFFSITE_HOST: 'vault' });
    expect(config.backup.offsite).toStrictEqual([{ kind: 'ssh', host: 'vault', path: '/srv/offsite' }]);
  });

  it('leaves fields that are not expanded alone (names, exclude patterns, ssh options, SQL)', () => {
    const config = parseConfig(
      `ssh: { options: ['SetEnv=X=\${HOME}'] }\nfiles:\n  - name: data\n    source: /data\n    exclude: ['\${NOT_EXPANDED}']\n`,
      FILE,
      { HOME: '/root' },
    );
    expect(config.ssh.options).toStrictEqual(['SetEnv=X=${HOME}']);
    expect(config.files[0]!.exclude).toStrictEqual(['${NOT_EXPANDED}']);
  });
});

describe('expandEnv', () => {
  it.each<[string, Env, string]>([
    ['${A}', { A: 'x' }, 'x'],
    ['a${A}b${B}c', { A: '1', B: '2' }, 'a1b2c'],
    ['${A:-fallback}', {}, 'fallback'],
    ['${A:-fallback}', { A: '' }, 'fallback'],
    ['${A:-fallback}', { A: 'set' }, 'set'],
    ['${A:-}', {}, ''],
    ['${A:-/var/with space:and-colon}', {}, '/var/with space:and-colon'],
    ['$A and ${ A } and ${1A} stay as written', {}, '$A and ${ A } and ${1A} stay as written'],
    ['no references', {}, 'no references'],
  ])('%j with %j -> %j', (text, env, expected) => {
    expect(expandEnv(text, env)).toBe(expected);
  });

  it.each<[string, Env, string]>([
    ['${A}', {}, 'environment variable A is not set'],
    ['${A:-x}/${B}', {}, 'environment variable B is not set'],
  ])('%j with %j throws %j', (text, env, message) => {
    expect(() => expandEnv(text, env)).toThrow(new Error(message));
  });
});

describe('resolveSecret', () => {
  const dir = join(tmp, 'secrets');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'crlf.txt'), 'pw-with-crlf\r\n');
  writeFileSync(join(dir, 'two-lines.txt'), 'line1\nline2\n\n');
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'only-newline.txt'), '\n');

  it.each<[string, Env, string, string]>([
    ['${DB_PASSWORD}', { DB_PASSWORD: 'from-env' }, 'from-env', 'env DB_PASSWORD'],
    ['file:crlf.txt', {}, 'pw-with-crlf', 'file crlf.txt'],
    ['file:two-lines.txt', {}, 'line1\nline2\n', 'file two-lines.txt'],
  ])('%s -> a Secret', (reference, env, value, source) => {
    const secret = resolveSecret(reference, env, dir);
    expect([secret.reveal(), secret.source]).toStrictEqual([value, source]);
  });

  it.each<[string, Env, string]>([
    ['${DB_PASSWORD}', {}, 'environment variable DB_PASSWORD is not set'],
    ['${DB_PASSWORD}', { DB_PASSWORD: '' }, 'environment variable DB_PASSWORD is not set'],
    ['hunter2', {}, 'expected a secret reference ${ENV_VAR} or file:path, not a literal value'],
    ['prefix-${DB_PASSWORD}', { DB_PASSWORD: 'x' }, 'expected a secret reference ${ENV_VAR} or file:path, not a literal value'],
    ['file:missing.txt', {}, `cannot read secret file ${join(dir, 'missing.txt')}: ENOENT`],
    ['file:.', {}, `cannot read secret file ${dir}: EISDIR`],
    ['file:empty.txt', {}, `secret file ${join(dir, 'empty.txt')} is empty`],
    ['file:only-newline.txt', {}, `secret file ${join(dir, 'only-newline.txt')} is empty`],
  ])('%s with %j throws %j', (reference, env, message) => {
    expect(() => resolveSecret(reference, env, dir)).toThrow(new Error(message));
  });
});

describe('parseDatabaseUrl', () => {
  it.each<[string, boolean, object]>([
    ['postgres://ops@db/app', true, { engine: 'postgres', user: 'ops', host: 'db', port: 5432, database: 'app' }],
    ['postgresql://ops@db:6432/app', true, { engine: 'postgres', user: 'ops', host: 'db', port: 6432, database: 'app' }],
    ['mysql://backup@db/shop', true, { engine: 'mysql', user: 'backup', host: 'db', port: 3306, database: 'shop' }],
    ['mariadb://backup@db:3307/shop', true, { engine: 'mysql', user: 'backup', host: 'db', port: 3307, database: 'shop' }],
    ['postgres://ops%40corp@db/my%20app', true, { engine: 'postgres', user: 'ops@corp', host: 'db', port: 5432, database: 'my app' }],
    ['postgres://admin@scratch', false, { engine: 'postgres', user: 'admin', host: 'scratch', port: 5432, database: '' }],
  ])('%s (database required: %s)', (text, requireDatabase, expected) => {
    expect(parseDatabaseUrl(text, { requireDatabase })).toStrictEqual(expected);
  });

  it.each<[string, boolean, string]>([
    ['db.example.com/app', true, 'expected a postgres:// or mysql:// URL, got "db.example.com/app"'],
    ['http://ops@db/app', true, 'expected a postgres:// or mysql:// URL, got scheme "http:"'],
    ['postgres://ops:pw@db/app', true, 'must not contain a password: put it in `password:` as ${ENV_VAR} or file:path'],
    ['postgres://db/app', true, 'must name a user, e.g. postgres://ops_reader@host/db'],
    ['mysql://ops@db', true, 'must name a database, e.g. postgres://user@host:5432/app'],
    ['mysql://ops@db/', true, 'must name a database, e.g. postgres://user@host:5432/app'],
  ])('%s (database required: %s) throws %j', (text, requireDatabase, message) => {
    expect(() => parseDatabaseUrl(text, { requireDatabase })).toThrow(new Error(message));
  });
});

describe('parseLocation', () => {
  it.each<[string, object]>([
    ['/srv/data', { kind: 'local', path: '/srv/data' }],
    ['data', { kind: 'local', path: '/etc/ops/data' }],
    ['./data', { kind: 'local', path: '/etc/ops/data' }],
    ['ssh://web1/srv/data', { kind: 'ssh', host: 'web1', path: '/srv/data' }],
    ['ssh://deploy@web1:2222/srv/data', { kind: 'ssh', user: 'deploy', host: 'web1', port: 2222, path: '/srv/data' }],
    ['ssh://web1/', { kind: 'ssh', host: 'web1', path: '/' }],
  ])('%s', (text, expected) => {
    expect(parseLocation(text, '/etc/ops')).toStrictEqual(expected);
  });

  it.each<[string, string]>([
    ['ssh://web1', 'expected ssh://[user@]host[:port]/absolute/path, got "ssh://web1"'],
    ['ssh://deploy@web1:2222', 'expected ssh://[user@]host[:port]/absolute/path, got "ssh://deploy@web1:2222"'],
    ['ssh://web1:port/srv', 'expected ssh://[user@]host[:port]/absolute/path, got "ssh://web1:port/srv"'],
    ['rsync://web1/module', 'unsupported scheme in "rsync://web1/module": use a path or ssh://'],
    ['', 'expected a path, got an empty string'],
    ['   ', 'expected a path, got an empty string'],
  ])('%j throws %j', (text, message) => {
    expect(() => parseLocation(text, '/etc/ops')).toThrow(new Error(message));
  });
});

describe('parseConfig: invalid configs report every problem with its path', () => {
  const missing = join(tmp, 'no-such-dir');
  it.each<[string, string, Env, string[]]>([
    [
      'a URL with the wrong scheme',
      `databases:\n  - name: a\n    url: postgres://u@h/a\n  - name: b\n    url: http://u@h/b\n${VERIFY_BOTH}`,
      {},
      ['databases[1].url: expected a postgres:// or mysql:// URL, got scheme "http:"'],
    ],
    ['a misspelt key', 'backup:\n  retension: { daily: 3 }\n', {}, ['backup: unknown key "retension"']],
    [
      'a restore server with a database-less http URL and a plain-text password',
      'restore:\n  servers:\n    spare: { url: "http://u@h", password: hunter2 }\n    Bad: { url: "postgres://u@h" }\n',
      {},
      [
        'restore.servers.spare.url: expected a postgres:// or mysql:// URL, got scheme "http:"',
        'restore.servers.spare.password: expected a secret reference ${ENV_VAR} or file:path, not a literal value',
        'restore.servers.Bad: expected lower-case letters, digits, - or _, starting with a letter (max 40)',
      ],
    ],
    ['two unknown keys in one object', 'metrics: { port: 1, host: x, path: /m }\n', {}, ['metrics: unknown keys "host", "path"']],
    ['an unknown top-level key', 'database: []\n', {}, ['(top level): unknown key "database"']],
    [
      'an unknown key in a list item',
      `databases:\n  - name: a\n    url: postgres://u@h/a\n    pasword: x\n${VERIFY_BOTH}`,
      {},
      ['databases[0]: unknown key "pasword"'],
    ],
    [
      'a password in the URL',
      `databases:\n  - name: a\n    url: mysql://u:hunter2@h/a\n${VERIFY_BOTH}`,
      {},
      ['databases[0].url: must not contain a password: put it in `password:` as ${ENV_VAR} or file:path'],
    ],
    [
      'a literal password',
      `databases:\n  - name: a\n    url: postgres://u@h/a\n    password: hunter2\n${VERIFY_BOTH}`,
      {},
      ['databases[0].password: expected a secret reference ${ENV_VAR} or file:path, not a literal value'],
    ],
    [
      'a secret from an unset environment variable',
      `databases:\n  - name: a\n    url: postgres://u@h/a\n    password: \${A_PASSWORD}\n${VERIFY_BOTH}`,
      {},
      ['databases[0].password: environment variable A_PASSWORD is not set'],
    ],
    [
      'a secret from an unreadable file',
      `databases:\n  - name: a\n    url: postgres://u@h/a\n    password: file:${missing}/pw\n${VERIFY_BOTH}`,
      {},
      [`databases[0].password: cannot read secret file ${missing}/pw: ENOENT`],
    ],
    [
      'a verify server secret from an unset variable',
      'backup:\n  verify:\n    mysql: { url: mysql://root@h, password: "${ROOT_PW}" }\n',
      {},
      ['backup.verify.mysql.password: environment variable ROOT_PW is not set'],
    ],
    [
      'an unset variable in a non-secret string',
      'reports: ${REPORTS_DIR}/nightly\n',
      {},
      ['reports: environment variable REPORTS_DIR is not set'],
    ],
    [
      'duplicate target names across databases and files',
      `databases:\n  - { name: shop, url: postgres://u@h/a }\n  - { name: crm, url: mysql://u@h/b }\n  - { name: crm, url: mysql://u@h/c }\nfiles:\n  - { name: shop, source: /srv/shop }\n${VERIFY_BOTH}`,
      {},
      ['databases[2].name: target name "crm" is already used by databases[1].name', 'files[0].name: target name "shop" is already used by databases[0].name'],
    ],
    [
      'a postgres target without backup.verify.postgres',
      'databases:\n  - { name: shop, url: postgres://u@h/a }\nbackup: { verify: { mysql: { url: mysql://root@h } } }\n',
      {},
      ['databases[0].url: postgres target "shop" needs backup.verify.postgres (a server to verify-restore into)'],
    ],
    [
      'a mysql target without backup.verify.mysql',
      'databases:\n  - { name: crm, url: mariadb://u@h/a }\n',
      {},
      ['databases[0].url: mysql target "crm" needs backup.verify.mysql (a server to verify-restore into)'],
    ],
    [
      'retention 0/0/0',
      'backup: { retention: { daily: 0, weekly: 0, monthly: 0 } }\n',
      {},
      ['backup.retention: must keep at least one backup (daily + weekly + monthly >= 1)'],
    ],
    ['negative retention', 'backup: { retention: { weekly: -1 } }\n', {}, ['backup.retention.weekly: Too small: expected number to be >=0']],
    [
      'an assertion without bounds',
      `databases:\n  - name: a\n    url: postgres://u@h/a\n    assertions:\n      - { sql: select 1, min: 1 }\n      - { name: orders, sql: select count(*) from orders }\n${VERIFY_BOTH}`,
      {},
      ['databases[0].assertions[1]: needs at least one of min, max, equals'],
    ],
    [
      'an assertion with empty SQL',
      `databases:\n  - name: a\n    url: postgres://u@h/a\n    assertions: [{ sql: '', min: 1 }]\n${VERIFY_BOTH}`,
      {},
      ['databases[0].assertions[0].sql: Too small: expected string to have >=1 characters'],
    ],
    ['a bad time zone', 'timeZone: Europe/Praha\n', {}, ['timeZone: expected an IANA time zone such as Europe/Prague']],
    [
      'a bad target name',
      'files:\n  - { name: Uploads, source: /srv/u }\n',
      {},
      ['files[0].name: expected lower-case letters, digits, - or _, starting with a letter (max 40)'],
    ],
    [
      'a target name starting with a digit',
      'files:\n  - { name: 1st, source: /srv/u }\n',
      {},
      ['files[0].name: expected lower-case letters, digits, - or _, starting with a letter (max 40)'],
    ],
    [
      'a target name of 41 characters',
      `files:\n  - { name: ${'a'.repeat(41)}, source: /srv/u }\n`,
      {},
      ['files[0].name: expected lower-case letters, digits, - or _, starting with a letter (max 40)'],
    ],
    [
      'an ssh:// location without a path',
      'files:\n  - { name: uploads, source: "ssh://deploy@web1:2222" }\n',
      {},
      ['files[0].source: expected ssh://[user@]host[:port]/absolute/path, got "ssh://deploy@web1:2222"'],
    ],
    ['an unsupported offsite scheme', 'backup: { offsite: "gs://bucket/ops" }\n', {}, ['backup.offsite: unsupported scheme in "gs://bucket/ops": use a path, ssh:// or s3://']],
    [
      'a database URL without a database',
      `databases:\n  - { name: a, url: "postgres://u@h" }\n${VERIFY_BOTH}`,
      {},
      ['databases[0].url: must name a database, e.g. postgres://user@host:5432/app'],
    ],
    [
      'a database without name and url',
      'databases:\n  - {}\n',
      {},
      ['databases[0].name: Invalid input: expected string, received undefined', 'databases[0].url: Invalid input: expected string, received undefined'],
    ],
    ['a wrong type', 'backup: { concurrency: "4" }\n', {}, ['backup.concurrency: Invalid input: expected number, received string']],
    ['concurrency out of range', 'backup: { concurrency: 17 }\n', {}, ['backup.concurrency: Too big: expected number to be <=16']],
    ['an unknown compression', 'backup: { mysqlCompression: xz }\n', {}, ['backup.mysqlCompression: Invalid option: expected one of "zstd"|"gzip"']],
    ['a list instead of a mapping', '- databases\n', {}, ['(top level): Invalid input: expected object, received array']],
    [
      'a schedule cron that does not parse',
      'schedules:\n  nightly-backup: { workflow: nightlyBackup, cron: "0 25 * * *" }\n',
      {},
      ['schedules.nightly-backup.cron: hour 25 is out of range 0-23'],
    ],
    [
      'a schedule cron with six fields',
      'schedules:\n  nightly-backup: { workflow: nightlyBackup, cron: "0 0 2 * * *" }\n',
      {},
      ['schedules.nightly-backup.cron: expected 5 fields "minute hour day-of-month month day-of-week", got 6 in "0 0 2 * * *"'],
    ],
    [
      'a schedule of an unknown workflow',
      'schedules:\n  cleanup: { workflow: cleanupEverything, cron: "0 3 * * *" }\n',
      {},
      ['schedules.cleanup.workflow: Invalid option: expected one of "nightlyBackup"|"restoreDrill"|"backupWatchdog"|"deployPipeline"'],
    ],
    [
      'a schedule without cron, with an unknown overlap, a zero catch-up window and a misspelt key',
      'schedules:\n  nightly-backup: { workflow: nightlyBackup, overlap: CANCEL_OTHER, catchupWindowHours: 0, pasued: true }\n',
      {},
      [
        'schedules.nightly-backup.cron: Invalid input: expected string, received undefined',
        'schedules.nightly-backup.catchupWindowHours: Too small: expected number to be >0',
        'schedules.nightly-backup.overlap: Invalid option: expected one of "SKIP"|"BUFFER_ONE"|"ALLOW_ALL"',
        'schedules.nightly-backup: unknown key "pasued"',
      ],
    ],
    [
      'a schedule id that is not a name',
      'schedules:\n  Nightly Backup: { workflow: nightlyBackup, cron: "0 2 * * *" }\n',
      {},
      ['schedules.Nightly Backup: expected lower-case letters, digits, - or _, starting with a letter (max 40)'],
    ],
  ])('%s', (_name, yaml, env, problems) => {
    expect(problemsOf(yaml, env)).toStrictEqual(problems);
  });

  it('reports every schema problem of one config together, in document order', () => {
    const yaml = `
timeZone: Mars/Olympus
stateDir: \${NOPE}
databases:
  - name: App
    url: http://x@y/z
    password: hunter2
  - name: b
    url: postgres://u:pw@h/d
    password: \${MISSING}
  - name: c
    url: mysql://u@h/d
    password: file:${missing}/pw
    extra: 1
files:
  - name: f
    source: ssh://host
backup:
  retension: {}
  concurrency: 0
  mysqlCompression: xz
  offsite: ftp://x/y
  retention: { daily: -1 }
metrics: { port: 70000, prefix: '1x' }
wat: 1
`;
    expect(problemsOf(yaml)).toStrictEqual([
      'timeZone: expected an IANA time zone such as Europe/Prague',
      'stateDir: environment variable NOPE is not set',
      'databases[0].name: expected lower-case letters, digits, - or _, starting with a letter (max 40)',
      'databases[0].url: expected a postgres:// or mysql:// URL, got scheme "http:"',
      'databases[0].password: expected a secret reference ${ENV_VAR} or file:path, not a literal value',
      'databases[1].url: must not contain a password: put it in `password:` as ${ENV_VAR} or file:path',
      'databases[1].password: environment variable MISSING is not set',
      `databases[2].password: cannot read secret file ${missing}/pw: ENOENT`,
      'databases[2]: unknown key "extra"',
      'files[0].source: expected ssh://[user@]host[:port]/absolute/path, got "ssh://host"',
      'backup.concurrency: Too small: expected number to be >=1',
      'backup.mysqlCompression: Invalid option: expected one of "zstd"|"gzip"',
      'backup.offsite: unsupported scheme in "ftp://x/y": use a path, ssh:// or s3://',
      'backup.retention.daily: Too small: expected number to be >=0',
      'backup: unknown key "retension"',
      'metrics.port: Too big: expected number to be <=65535',
      'metrics.prefix: Invalid string: must match pattern /^[a-zA-Z_][a-zA-Z0-9_]*$/',
      '(top level): unknown key "wat"',
    ]);
  });

  it('reports every rule problem of one config together', () => {
    const yaml = `
databases:
  - name: a
    url: postgres://u@h/d
    assertions:
      - sql: select 1
  - name: a
    url: mysql://u@h/d
files:
  - name: a
    source: /srv
backup:
  retention: { daily: 0, weekly: 0, monthly: 0 }
`;
    expect(problemsOf(yaml)).toStrictEqual([
      'databases[1].name: target name "a" is already used by databases[0].name',
      'files[0].name: target name "a" is already used by databases[0].name',
      'databases[0].url: postgres target "a" needs backup.verify.postgres (a server to verify-restore into)',
      'databases[1].url: mysql target "a" needs backup.verify.mysql (a server to verify-restore into)',
      'backup.retention: must keep at least one backup (daily + weekly + monthly >= 1)',
      'databases[0].assertions[0]: needs at least one of min, max, equals',
    ]);
  });

  it('the ConfigError message lists every problem', () => {
    let error: unknown;
    try {
      parseConfig('timeZone: Nowhere\nwat: 1\n', FILE, {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      '2 configuration errors:\n  timeZone: expected an IANA time zone such as Europe/Prague\n  (top level): unknown key "wat"',
    );
    expect((error as ConfigError).retryable).toBe(false);
  });

  // The parser goes on after the first error and finds many more that follow from it (a new user
  // saw "397 problems" for one mistake): only the first is reported, where it is.
  it.each([
    ['an unclosed flow sequence', 'databases: [\n', '/etc/ops/broken.yaml:2:1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['an unclosed flow map', 'demo: {\n  postgres: true\ndatabases:\n  - name: a\n', '/etc/ops/broken.yaml:3:1: Flow map in block collection must be sufficiently indented and end with a }'],
    ['an unclosed quote', 'stateDir: .ops\ndatabases:\n  - name: "crm-db\n    url: postgres://u@h/db\n', '/etc/ops/broken.yaml:5:1: Missing closing "quote'],
    ['a list item out of line', 'databases:\n  - name: a\n    url: postgres://u@h/a\n - name: b\n   url: postgres://u@h/b\n', '/etc/ops/broken.yaml:4:1: A block sequence may not be used as an implicit map key'],
  ])('reports a YAML syntax error once, with line and column: %s', (_, source, problem) => {
    expect(problemsOf(source, {}, '/etc/ops/broken.yaml')).toStrictEqual([problem]);
  });
});

describe('parseConfig: a deployPipeline schedule must start a deploy the pipeline can run', () => {
  const deployable = `
${crmAppYaml()}  - name: shop
    repository: /srv/git/shop
    path: /srv/shop
    stages:
      - { name: prod, host: web1, baseUrl: https://shop, health: { url: https://shop/up } }
`;
  const withSchedule = (args: string | undefined) =>
    `${deployable}schedules:\n  weekly-deploy:\n    workflow: deployPipeline\n    cron: 0 9 * * MON\n${args === undefined ? '' : `    args: ${args}\n`}`;
  const at = 'schedules.weekly-deploy.args';

  it.each<[string, string]>([
    ['app, ref and who starts it', '{ app: crm, ref: main, startedBy: ops-schedule }'],
    ['every key DeployInput takes from a schedule', '{ app: crm, ref: v1.2.0, stages: [staging, prod], smokeLevel: standard, startedBy: ops-schedule, preApproved: true }'],
    ['an empty stage list (the app\'s order, as without one)', '{ app: shop, ref: main, stages: [], startedBy: ops-schedule }'],
  ])('valid: %s', (_name, args) => {
    expect(parseConfig(withSchedule(args), FILE, {}).schedules['weekly-deploy']!.args).toEqual(parse(`args: ${args}`).args);
  });

  it.each<[string, string | undefined, string[]]>([
    [
      'no args at all',
      undefined,
      [
        `${at}.app: expected the name of an app to deploy (configured: crm, shop)`,
        `${at}.ref: expected a git ref or SHA to deploy, e.g. main`,
        `${at}.startedBy: expected a name to record as who started the deploy, e.g. "schedule:weekly-deploy"`,
      ],
    ],
    ['an app that is not configured', '{ app: billing, ref: main, startedBy: s }', [`${at}.app: "billing" is not in apps (configured: crm, shop)`]],
    ['an app name that is not a string', '{ app: [crm], ref: main, startedBy: s }', [`${at}.app: expected the name of an app to deploy (configured: crm, shop)`]],
    ['an empty ref', '{ app: crm, ref: "", startedBy: s }', [`${at}.ref: expected a git ref or SHA to deploy, e.g. main`]],
    ['a blank ref', '{ app: crm, ref: "  ", startedBy: s }', [`${at}.ref: expected a git ref or SHA to deploy, e.g. main`]],
    ['a ref that YAML reads as a number', '{ app: crm, ref: 1234567, startedBy: s }', [`${at}.ref: expected a git ref or SHA to deploy, e.g. main`]],
    ['no startedBy', '{ app: crm, ref: main }', [`${at}.startedBy: expected a name to record as who started the deploy, e.g. "schedule:weekly-deploy"`]],
    [
      'a stage the app does not have',
      '{ app: crm, ref: main, stages: [staging, qa, production], startedBy: s }',
      [`${at}.stages[1]: "qa" is not a stage of app "crm" (stages: staging, prod)`, `${at}.stages[2]: "production" is not a stage of app "crm" (stages: staging, prod)`],
    ],
    ['a stage of another app', '{ app: shop, ref: main, stages: [staging], startedBy: s }', [`${at}.stages[0]: "staging" is not a stage of app "shop" (stages: prod)`]],
    ['stages as one string', '{ app: crm, ref: main, stages: prod, startedBy: s }', [`${at}.stages: expected a list of stage names (stages: staging, prod)`]],
    [
      'stages of an unknown app are not checked further',
      '{ app: billing, ref: main, stages: [anything], startedBy: s }',
      [`${at}.app: "billing" is not in apps (configured: crm, shop)`],
    ],
    ['an unknown smoke level', '{ app: crm, ref: main, smokeLevel: full, startedBy: s }', [`${at}.smokeLevel: expected "smoke" or "standard", got "full"`]],
    ['preApproved as a string', '{ app: crm, ref: main, preApproved: "yes", startedBy: s }', [`${at}.preApproved: expected true or false, got "yes"`]],
    [
      'a fixed run link',
      '{ app: crm, ref: main, startedBy: s, runUrl: "http://ui/namespaces/default/workflows/deploy-crm" }',
      [`${at}.runUrl: a schedule cannot link its runs: each gets its own workflow id; leave it out`],
    ],
    [
      'a misspelt key, which would otherwise deploy every stage',
      '{ app: crm, ref: main, stage: prod, startedBy: s }',
      [`${at}: unknown key "stage" (deployPipeline takes app, ref, stages, smokeLevel, startedBy, preApproved, skipPromotionCheck, migrate)`],
    ],
    [
      'two unknown keys',
      '{ app: crm, ref: main, startedBy: s, by: me, approve: true }',
      [`${at}: unknown keys "by", "approve" (deployPipeline takes app, ref, stages, smokeLevel, startedBy, preApproved, skipPromotionCheck, migrate)`],
    ],
    [
      'everything wrong at once, in key order',
      '{ app: crm, ref: "", stages: [qa], smokeLevel: 3, preApproved: 1, stage: prod }',
      [
        `${at}: unknown key "stage" (deployPipeline takes app, ref, stages, smokeLevel, startedBy, preApproved, skipPromotionCheck, migrate)`,
        `${at}.ref: expected a git ref or SHA to deploy, e.g. main`,
        `${at}.stages[0]: "qa" is not a stage of app "crm" (stages: staging, prod)`,
        `${at}.startedBy: expected a name to record as who started the deploy, e.g. "schedule:weekly-deploy"`,
        `${at}.smokeLevel: expected "smoke" or "standard", got 3`,
        `${at}.preApproved: expected true or false, got 1`,
      ],
    ],
  ])('%s', (_name, args, problems) => {
    expect(problemsOf(withSchedule(args))).toStrictEqual(problems);
  });

  it('with no apps configured, says so', () => {
    expect(problemsOf('schedules:\n  weekly-deploy: { workflow: deployPipeline, cron: 0 9 * * MON, args: { app: crm, ref: main, startedBy: s } }\n')).toStrictEqual([
      `${at}.app: "crm" is not in apps (configured: none)`,
    ]);
  });

  it('other workflows\' args are not checked against DeployInput', () => {
    expect(parseConfig(`${deployable}schedules:\n  nightly: { workflow: nightlyBackup, cron: 0 2 * * *, args: { app: nope } }\n`, FILE, {}).schedules.nightly!.args).toEqual({ app: 'nope' });
  });
});

describe('parseConfig: a stage\'s env and secrets keys are .env keys', () => {
  const withStage = (stage: string) => crmAppYaml([CRM_STAGING, `{ name: prod, host: web1, baseUrl: https://crm, health: { url: https://crm/up }, ${stage} }`]);
  const rule = 'expected a letter or _, then letters, digits or _ (a .env key)';

  it.each<[string, string]>([
    ['upper case with digits and _', 'env: { DATABASE_URL2: x }'],
    ['lower case', 'env: { port: "3000" }'],
    ['a leading _', 'secrets: { _TOKEN: "${T}" }'],
  ])('valid: %s', (_name, stage) => {
    expect(() => parseConfig(withStage(stage), FILE, { T: 'token-value' })).not.toThrow();
  });

  it.each<[string, string, string[]]>([
    ['a dash', 'env: { APP-NAME: crm }', [`apps[0].stages[1].env.APP-NAME: ${rule}`]],
    ['a leading digit', 'env: { 1PORT: "80" }', [`apps[0].stages[1].env.1PORT: ${rule}`]],
    ['a space', 'env: { "APP NAME": crm }', [`apps[0].stages[1].env.APP NAME: ${rule}`]],
    ['an empty key', 'env: { "": x }', [`apps[0].stages[1].env.: ${rule}`]],
    ['a dotted secret key', 'secrets: { db.password: "${T}" }', [`apps[0].stages[1].secrets.db.password: ${rule}`]],
    [
      'every bad key, in env and secrets, each with its path',
      'env: { OK: x, BAD-ONE: y }, secrets: { "$X": "${T}", GOOD: "${T}" }',
      [`apps[0].stages[1].env.BAD-ONE: ${rule}`, `apps[0].stages[1].secrets.$X: ${rule}`],
    ],
  ])('invalid: %s', (_name, stage, problems) => {
    expect(problemsOf(withStage(stage), { T: 'token-value' })).toStrictEqual(problems);
  });
});

describe('loadConfig', () => {
  it('reads the file and resolves paths and file: secrets against its directory', () => {
    const dir = join(tmp, 'load');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pg.pw'), 'pg-file-secret\n');
    const file = join(dir, 'ops.config.yaml');
    writeFileSync(file, 'repository: backups\nbackup:\n  verify:\n    postgres: { url: postgres://admin@h, password: file:pg.pw }\n');
    const config = loadConfig(file, {});
    expect([config.file, config.repository, config.backup.verify.postgres!.password!.reveal()]).toStrictEqual([file, join(dir, 'backups'), 'pg-file-secret']);
  });

  it('names a config file it cannot read', () => {
    const file = join(tmp, 'absent.yaml');
    expect(() => loadConfig(file, {})).toThrow(new ConfigError([`${file}: cannot read config (ENOENT)`]));
  });
});

describe('the bundled example config', () => {
  it('stays valid (given the secret files `ops up` writes)', () => {
    const dir = join(tmp, 'example');
    mkdirSync(join(dir, '.ops/demo'), { recursive: true });
    for (const name of ['reader.password', 'pg.admin-password', 'my.admin-password']) writeFileSync(join(dir, '.ops/demo', name), `${name}-value\n`);
    const file = join(dir, 'ops.config.yaml');
    copyFileSync(resolve(import.meta.dirname, '../../ops.config.example.yaml'), file);
    const config = loadConfig(file, { OPS_DEMO_PG_PORT: '6543' });
    expect(config.targets.map((t) => [t.kind, t.name])).toStrictEqual([
      ['postgres', 'crm-db'],
      ['mysql', 'shop-db'],
      ['files', 'demo-files'],
    ]);
    expect([config.databases[0]!.url.port, config.databases[1]!.url.port, config.backup.offsite]).toStrictEqual([
      6543,
      53306,
      [{ kind: 'local', path: join(dir, '.ops/offsite') }],
    ]);
  });
});

describe('chooseConfigFile', () => {
  const withOwn = join(tmp, 'with-own');
  const withoutOwn = join(tmp, 'without-own');
  mkdirSync(withOwn, { recursive: true });
  mkdirSync(withoutOwn, { recursive: true });
  writeFileSync(join(withOwn, 'ops.config.yaml'), '');
  const root = '/opt/ops-project';

  it.each<[string, string | undefined, Env, string, string]>([
    ['explicit beats OPS_CONFIG and ./ops.config.yaml', 'custom.yaml', { OPS_CONFIG: '/etc/ops.yaml' }, withOwn, join(withOwn, 'custom.yaml')],
    ['explicit absolute path', '/srv/ops.yaml', {}, withOwn, '/srv/ops.yaml'],
    ['OPS_CONFIG beats ./ops.config.yaml', undefined, { OPS_CONFIG: 'conf/ops.yaml' }, withOwn, join(withOwn, 'conf/ops.yaml')],
    ['an empty OPS_CONFIG is ignored', undefined, { OPS_CONFIG: '' }, withOwn, join(withOwn, 'ops.config.yaml')],
    ['./ops.config.yaml when it exists', undefined, {}, withOwn, join(withOwn, 'ops.config.yaml')],
    ['the example in the project root otherwise', undefined, {}, withoutOwn, `${root}/ops.config.example.yaml`],
  ])('%s', (_name, explicit, env, cwd, expected) => {
    expect(chooseConfigFile(explicit, env, cwd, root)).toBe(expected);
  });

  it('the project root defaults to cwd', () => {
    expect(chooseConfigFile(undefined, {}, withoutOwn)).toBe(join(withoutOwn, 'ops.config.example.yaml'));
  });
});

describe('parseConfig: build.registry', () => {
  const withBuild = (build: string) => crmAppYaml([CRM_PROD], `    build: ${build}\n`);

  it('a registry host with a path and a port, beside once', () => {
    expect(parseConfig(withBuild('{ once: true, registry: "registry.example.com:5000/team" }'), FILE, {}).apps[0]!.build).toStrictEqual({ once: true, registry: 'registry.example.com:5000/team' });
  });

  it.each([
    ['a registry without once', '{ registry: registry.example.com/team }', ['apps[0].build.registry: needs build.once: true (the registry carries the images the first stage built to the later ones)']],
    ['a registry with a scheme', '{ once: true, registry: "https://registry.example.com" }', ['apps[0].build.registry: expected a registry host and optional path, e.g. registry.example.com/team']],
    ['a registry ending in /', '{ once: true, registry: "registry.example.com/team/" }', ['apps[0].build.registry: expected a registry host and optional path, e.g. registry.example.com/team']],
  ])('refuses %s, with its path', (_, build, problems) => {
    expect(problemsOf(withBuild(build))).toStrictEqual(problems);
  });
});

describe('parseConfig: an app migration', () => {
  const withMigrate = (migrate: string) => `
databases:
  - name: crm-db
    url: postgres://ops@db/crm
backup:
  verify:
    postgres: { url: postgres://admin@scratch }
${crmAppYaml([CRM_PROD], `    migrate: ${migrate}\n`)}`;

  it('names the command, the database and the paths; keepDays defaults to 7', () => {
    const config = parseConfig(withMigrate('{ command: [docker, compose, run, --rm, app, migrate], database: crm-db, when: { paths: ["migrations/**"] } }'), FILE, {});
    expect(config.apps[0]!.migrate).toStrictEqual({ command: ['docker', 'compose', 'run', '--rm', 'app', 'migrate'], database: 'crm-db', when: { paths: ['migrations/**'] }, keepDays: 7 });
  });

  it.each([
    ['a database that is not a backup target', '{ command: [migrate], database: shop-db }', ['apps[0].migrate.database: "shop-db" is not a database backup target (configured: crm-db)']],
    ['an empty command', '{ command: [], database: crm-db }', ['apps[0].migrate.command: Too small: expected array to have >=1 items']],
    ['no paths under when', '{ command: [migrate], database: crm-db, when: { paths: [] } }', ['apps[0].migrate.when.paths: Too small: expected array to have >=1 items']],
    ['keepDays below one', '{ command: [migrate], database: crm-db, keepDays: 0 }', ['apps[0].migrate.keepDays: Too small: expected number to be >=1']],
  ])('refuses %s, with its path', (_, migrate, problems) => {
    expect(problemsOf(withMigrate(migrate))).toStrictEqual(problems);
  });
});
