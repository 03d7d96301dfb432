import { describe, expect, it } from 'vitest';
import { sshLocalForward } from '../../src/commands/ssh-tunnel.js';

const SAFE = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'];
const BOUNDS = ['-o', 'ConnectTimeout=10', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=4'];

describe('sshLocalForward', () => {
  it.each<[string, Parameters<typeof sshLocalForward>, string[]]>([
    [
      'defaults',
      [{ options: [] }, { host: 'db-gw' }, 41000, { host: '127.0.0.1', port: 5432 }],
      ['-N', '-o', 'ExitOnForwardFailure=yes', ...SAFE, ...BOUNDS, '-L', '127.0.0.1:41000:127.0.0.1:5432', '--', 'db-gw'],
    ],
    [
      'user, port, identity and configured options, which come after the fixed ones',
      [{ identityFile: '/etc/ops/id', options: ['ExitOnForwardFailure=no'] }, { user: 'ops', host: 'bastion.example', port: 2222 }, 41001, { host: 'db.internal', port: 3306 }],
      [
        '-N', '-o', 'ExitOnForwardFailure=yes', ...SAFE,
        '-o', 'IdentityFile=/etc/ops/id', '-o', 'IdentitiesOnly=yes', '-o', 'ExitOnForwardFailure=no', '-p', '2222',
        ...BOUNDS, '-L', '127.0.0.1:41001:db.internal:3306', '--', 'ops@bastion.example',
      ],
    ],
    [
      'an IPv6 database host in brackets, as ssh splits -L on colons',
      [{ options: [] }, { host: 'gw' }, 41002, { host: '::1', port: 5432 }],
      ['-N', '-o', 'ExitOnForwardFailure=yes', ...SAFE, ...BOUNDS, '-L', '127.0.0.1:41002:[::1]:5432', '--', 'gw'],
    ],
    [
      'an IPv6 host the URL already bracketed',
      [{ options: [] }, { host: 'gw' }, 41003, { host: '[fd00::5]', port: 5432 }],
      ['-N', '-o', 'ExitOnForwardFailure=yes', ...SAFE, ...BOUNDS, '-L', '127.0.0.1:41003:[fd00::5]:5432', '--', 'gw'],
    ],
  ])('%s', (_, args, expected) => {
    expect(sshLocalForward(...args)).toStrictEqual({ file: 'ssh', args: expected });
  });

  it('refuses an ssh host that ssh would read as an option', () => {
    expect(() => sshLocalForward({ options: [] }, { host: '-oProxyCommand=x' }, 41004, { host: 'db', port: 5432 })).toThrow('starts with "-"');
  });
});
