import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/commands/command.js';
import { dieWithParent } from '../../src/commands/parent-death-signal.js';

describe('dieWithParent', () => {
  it.each<[Command, Command]>([
    [{ file: 'pg_dump', args: ['--version'] }, { file: 'setpriv', args: ['--pdeathsig', 'KILL', '--', 'pg_dump', '--version'] }],
    [{ file: 'zstd', args: [] }, { file: 'setpriv', args: ['--pdeathsig', 'KILL', '--', 'zstd'] }],
    [
      { file: 'pg_restore', args: ['--dbname=verify_app', '--', '/srv/backups/dump.pgc'], env: { PGPASSWORD: 'hunter2', PGAPPNAME: 'ops-restore' } },
      { file: 'setpriv', args: ['--pdeathsig', 'KILL', '--', 'pg_restore', '--dbname=verify_app', '--', '/srv/backups/dump.pgc'], env: { PGPASSWORD: 'hunter2', PGAPPNAME: 'ops-restore' } },
    ],
    [{ file: './e2e tests.sh', args: ['--reuid=0'] }, { file: 'setpriv', args: ['--pdeathsig', 'KILL', '--', './e2e tests.sh', '--reuid=0'] }],
    [{ file: '--help', args: [] }, { file: 'setpriv', args: ['--pdeathsig', 'KILL', '--', '--help'] }],
  ])('%j runs as %j', (command, wrapped) => {
    expect(dieWithParent(command)).toEqual(wrapped);
  });

  it('keeps secrets in env: the wrapped argv is exactly setpriv, its options and the original argv', () => {
    const command: Command = { file: 'mariadb', args: ['--user=ops', '--', 'verify_shop'], env: { MYSQL_PWD: 'hunter2' } };
    const wrapped = dieWithParent(command);
    expect(wrapped.args.join(' ')).not.toContain('hunter2');
    expect(wrapped.env).toBe(command.env);
    expect(command).toEqual({ file: 'mariadb', args: ['--user=ops', '--', 'verify_shop'], env: { MYSQL_PWD: 'hunter2' } });
  });
});
