import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/commands/command.js';
import { dieWithParent } from '../../src/commands/parent-death-signal.js';

/** The launcher and the watchdog are scripts of their own: what matters here is where the tool's argv goes. */
const wrapper = (...tool: string[]) => ['-c', expect.stringContaining('exec setpriv --pdeathsig KILL -- "$@"'), expect.stringContaining("trap 'kill -KILL 0' WINCH"), ...tool];

describe('dieWithParent', () => {
  it.each<[Command, Command]>([
    [{ file: 'pg_dump', args: ['--version'] }, { file: 'sh', args: wrapper('pg_dump', '--version') }],
    [{ file: 'zstd', args: [] }, { file: 'sh', args: wrapper('zstd') }],
    [
      { file: 'pg_restore', args: ['--dbname=verify_app', '--', '/srv/backups/dump.pgc'], env: { PGPASSWORD: 'hunter2', PGAPPNAME: 'ops-restore' } },
      { file: 'sh', args: wrapper('pg_restore', '--dbname=verify_app', '--', '/srv/backups/dump.pgc'), env: { PGPASSWORD: 'hunter2', PGAPPNAME: 'ops-restore' } },
    ],
    [{ file: './e2e tests.sh', args: ['--reuid=0'] }, { file: 'sh', args: wrapper('./e2e tests.sh', '--reuid=0') }],
    [{ file: '--help', args: [] }, { file: 'sh', args: wrapper('--help') }],
  ])('%j runs as %j', (command, wrapped) => {
    expect(dieWithParent(command)).toEqual(wrapped);
  });

  it('keeps secrets in env: the wrapped argv is sh, its two scripts and the original argv', () => {
    const command: Command = { file: 'mariadb', args: ['--user=ops', '--', 'verify_shop'], env: { MYSQL_PWD: 'hunter2' } };
    const wrapped = dieWithParent(command);
    expect(wrapped.args.join(' ')).not.toContain('hunter2');
    expect(wrapped.env).toBe(command.env);
    expect(command).toEqual({ file: 'mariadb', args: ['--user=ops', '--', 'verify_shop'], env: { MYSQL_PWD: 'hunter2' } });
  });
});
