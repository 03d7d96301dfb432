import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeCommand, type Command } from '../../src/commands/command.js';
import { alterDatabaseInPlace, mysqlDump, mysqlImport, mysqlToolVersion } from '../../src/commands/mysql.js';
import type { DatabaseAddress } from '../../src/config/database-url.js';
import { Secret } from '../../src/config/secret.js';

const ADDRESS: DatabaseAddress = { engine: 'mysql', user: 'ops_reader', host: 'localhost', port: 3307, database: 'shop' };
const SERVER = ['--protocol=TCP', '--host=localhost', '--port=3307', '--user=ops_reader'];
const DUMP_FLAGS = ['--single-transaction', '--routines', '--triggers', '--events', '--hex-blob', '--default-character-set=utf8mb4'];
const PASSWORD_VALUE = "my-s3cret 'quoted'";
const password = new Secret(PASSWORD_VALUE, 'MYSQL_PASSWORD');

describe('mysqlDump', () => {
  it.each<[string, Secret | undefined, Command]>([
    ['mariadb-dump', undefined, { file: 'mariadb-dump', args: [...DUMP_FLAGS, ...SERVER, '--', 'shop'] }],
    ['mysqldump', password, { file: 'mysqldump', args: [...DUMP_FLAGS, ...SERVER, '--', 'shop'], env: { MYSQL_PWD: PASSWORD_VALUE } }],
  ])('%s', (binary, secret, expected) => {
    expect(mysqlDump(binary, ADDRESS, secret)).toEqual(expected);
  });
});

describe('mysqlImport', () => {
  it.each<[string, Secret | undefined, string, Command]>([
    ['mariadb', undefined, 'verify_shop_1', { file: 'mariadb', args: [...SERVER, '--default-character-set=utf8mb4', '--', 'verify_shop_1'] }],
    [
      'mysql',
      password,
      'verify_shop_1',
      { file: 'mysql', args: [...SERVER, '--default-character-set=utf8mb4', '--', 'verify_shop_1'], env: { MYSQL_PWD: PASSWORD_VALUE } },
    ],
  ])('%s', (binary, secret, database, expected) => {
    expect(mysqlImport(binary, ADDRESS, secret, database)).toEqual(expected);
  });
});

describe('mysqlToolVersion', () => {
  it.each<[string, Command]>([
    ['mariadb-dump', { file: 'mariadb-dump', args: ['--version'] }],
    ['mysqldump', { file: 'mysqldump', args: ['--version'] }],
  ])('%s', (binary, expected) => {
    expect(mysqlToolVersion(binary)).toEqual(expected);
  });
});

describe('the password stays out of argv and logs', () => {
  it.each<[string, Command]>([
    ['mysqlDump', mysqlDump('mariadb-dump', ADDRESS, password)],
    ['mysqlImport', mysqlImport('mariadb', ADDRESS, password, 'verify_shop_1')],
  ])('%s', (_name, cmd) => {
    for (const arg of cmd.args) expect(arg).not.toContain(PASSWORD_VALUE);
    expect(describeCommand(cmd)).not.toContain(PASSWORD_VALUE);
    expect(cmd.env?.MYSQL_PWD).toBe(PASSWORD_VALUE);
  });
});

describe('alterDatabaseInPlace, run through the real sed', () => {
  const run = (input: Buffer | string) => {
    const { file, args, env } = alterDatabaseInPlace();
    return execFileSync(file, args, { input, env: { ...process.env, ...env } });
  };

  it.each([
    ['a routine\'s switch', 'ALTER DATABASE `shop` CHARACTER SET latin1 COLLATE latin1_swedish_ci ;', 'ALTER DATABASE CHARACTER SET latin1 COLLATE latin1_swedish_ci ;'],
    ['inside DELIMITER ;;', 'ALTER DATABASE `shop` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin ;;', 'ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_bin ;;'],
    ['a name with a backquote', 'ALTER DATABASE `we``ird` CHARACTER SET latin1 COLLATE latin1_german1_ci ;', 'ALTER DATABASE CHARACTER SET latin1 COLLATE latin1_german1_ci ;'],
    ['a name with spaces and a dot', 'ALTER DATABASE `my shop.db` CHARACTER SET latin1 COLLATE latin1_bin ;', 'ALTER DATABASE CHARACTER SET latin1 COLLATE latin1_bin ;'],
    ['data that mentions it', "INSERT INTO `notes` VALUES (1,'ALTER DATABASE `shop` CHARACTER SET x');", "INSERT INTO `notes` VALUES (1,'ALTER DATABASE `shop` CHARACTER SET x');"],
    ['another ALTER', 'ALTER DATABASE `shop` COMMENT \'x\';', 'ALTER DATABASE `shop` COMMENT \'x\';'],
  ])('%s', (_, line, expected) => {
    expect(run(`${line}\n`).toString('utf8')).toBe(`${expected}\n`);
  });

  it('passes bytes that are not UTF-8, and a last line without a newline, through unchanged', () => {
    const input = Buffer.concat([Buffer.from("INSERT INTO `t` VALUES ('"), Buffer.from([0xe9, 0xff, 0xc3, 0x28]), Buffer.from("');\nSELECT 1;")]);
    expect(run(input).equals(input)).toBe(true);
  });
});
