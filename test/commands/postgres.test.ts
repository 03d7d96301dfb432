import { describe, expect, it } from 'vitest';
import { describeCommand, type Command } from '../../src/commands/command.js';
import { pgDump, pgRestore, pgToolVersion, type PgTool } from '../../src/commands/postgres.js';
import type { DatabaseAddress } from '../../src/config/database-url.js';
import { Secret } from '../../src/config/secret.js';
import { PG_RESTORE_PROGRESS } from '../../src/core/pg-restore-progress.js';

const ADDRESS: DatabaseAddress = { engine: 'postgres', user: 'ops_reader', host: 'db.internal', port: 5433, database: 'app' };
const SERVER = ['--host=db.internal', '--port=5433', '--username=ops_reader'];
const PASSWORD_VALUE = 'pg-s3cret with spaces';
const password = new Secret(PASSWORD_VALUE, 'PG_PASSWORD');

describe('pgDump', () => {
  it.each<[string, Secret | undefined, { snapshot?: string }, Command]>([
    [
      'without a password',
      undefined,
      {},
      {
        file: 'pg_dump',
        args: ['--format=custom', '--no-password', ...SERVER, '--dbname=app'],
        env: { PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'ops-backup' },
      },
    ],
    [
      'with a password and a snapshot',
      password,
      { snapshot: '00000003-0000001B-1' },
      {
        file: 'pg_dump',
        args: ['--format=custom', '--no-password', ...SERVER, '--dbname=app', '--snapshot=00000003-0000001B-1'],
        env: { PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'ops-backup', PGPASSWORD: PASSWORD_VALUE },
      },
    ],
  ])('%s', (_name, secret, options, expected) => {
    expect(pgDump(ADDRESS, secret, options)).toEqual(expected);
  });
});

describe('pgRestore', () => {
  it.each<[string, Secret | undefined, Parameters<typeof pgRestore>[2], Command]>([
    [
      'serial, without a password',
      undefined,
      { database: 'verify_app_1', file: '/srv/backups/app.dump' },
      {
        file: 'pg_restore',
        args: [
          ...['--no-owner', '--no-privileges', '--exit-on-error', '--no-password'],
          ...SERVER,
          '--dbname=verify_app_1',
          ...['--', '/srv/backups/app.dump'],
        ],
        env: { PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'ops-restore' },
      },
    ],
    [
      'parallel, with a password',
      password,
      { database: 'verify_app_1', file: '/srv/backups/app.dump', jobs: 4 },
      {
        file: 'pg_restore',
        args: [
          ...['--no-owner', '--no-privileges', '--exit-on-error', '--no-password'],
          ...SERVER,
          '--dbname=verify_app_1',
          '--jobs=4',
          ...['--', '/srv/backups/app.dump'],
        ],
        env: { PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'ops-restore', PGPASSWORD: PASSWORD_VALUE },
      },
    ],
    [
      'verbose, its progress told apart from its errors in the C locale',
      undefined,
      { database: 'verify_app_1', file: '/srv/backups/app.dump', jobs: 2, verbose: true },
      {
        file: 'pg_restore',
        args: [
          ...['--no-owner', '--no-privileges', '--exit-on-error', '--no-password'],
          ...SERVER,
          '--dbname=verify_app_1',
          '--jobs=2',
          '--verbose',
          ...['--', '/srv/backups/app.dump'],
        ],
        env: { PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'ops-restore', LC_MESSAGES: 'C' },
        progressLine: PG_RESTORE_PROGRESS,
      },
    ],
    [
      'from stdin (decrypted by age on its way in)',
      undefined,
      { database: 'verify_app_1', file: undefined },
      {
        file: 'pg_restore',
        args: [...['--no-owner', '--no-privileges', '--exit-on-error', '--no-password'], ...SERVER, '--dbname=verify_app_1'],
        env: { PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'ops-restore' },
      },
    ],
  ])('%s', (_name, secret, options, expected) => {
    expect(pgRestore(ADDRESS, secret, options)).toEqual(expected);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses jobs=%s', (jobs) => {
    expect(() => pgRestore(ADDRESS, undefined, { database: 'x', file: '/f', jobs })).toThrow(/positive integer/);
  });
});

describe('database names libpq would read as connection strings', () => {
  it.each(['host=evil.example dbname=app', 'postgresql://evil.example/app', 'postgres://evil.example/app'])('%s', (name) => {
    expect(() => pgDump({ ...ADDRESS, database: name }, undefined)).toThrow(/connection string/);
    expect(() => pgRestore(ADDRESS, undefined, { database: name, file: '/f' })).toThrow(/connection string/);
  });
});

describe('pgToolVersion', () => {
  it.each<[PgTool, Command]>([
    ['pg_dump', { file: 'pg_dump', args: ['--version'] }],
    ['pg_restore', { file: 'pg_restore', args: ['--version'] }],
  ])('%s', (tool, expected) => {
    expect(pgToolVersion(tool)).toEqual(expected);
  });
});

describe('the password stays out of argv and logs', () => {
  it.each<[string, Command]>([
    ['pgDump', pgDump(ADDRESS, password, { snapshot: 'x' })],
    ['pgRestore', pgRestore(ADDRESS, password, { database: 'v', file: '/f', jobs: 2 })],
  ])('%s', (_name, cmd) => {
    for (const arg of cmd.args) expect(arg).not.toContain(PASSWORD_VALUE);
    expect(describeCommand(cmd)).not.toContain(PASSWORD_VALUE);
    expect(cmd.env?.PGPASSWORD).toBe(PASSWORD_VALUE);
  });
});
