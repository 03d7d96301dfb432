import { describe, expect, it } from 'vitest';
import { describeCommand, type Command } from '../../src/commands/command.js';

describe('describeCommand', () => {
  it.each<[Command, string]>([
    [{ file: 'pg_dump', args: ['--version'] }, 'pg_dump --version'],
    [{ file: 'zstd', args: [] }, 'zstd'],
    [{ file: 'ls', args: ['-1A', '--', '/srv/my backups'] }, "ls -1A -- '/srv/my backups'"],
    [{ file: 'mysql', args: ['--user=ops', 'app'], env: { MYSQL_PWD: 'hunter2' } }, 'mysql --user=ops app'],
    [{ file: 'pg_dump', args: ['--dbname=app'], env: { PGPASSWORD: 'hunter2', PGAPPNAME: 'ops-backup' } }, 'pg_dump --dbname=app'],
  ])('%j renders as %s', (cmd, expected) => {
    expect(describeCommand(cmd)).toBe(expected);
  });
});
