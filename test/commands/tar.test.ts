import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/commands/command.js';
import { onHostOf } from '../../src/commands/remote-files.js';
import { tarCreate, tarExtract, tarHashEntries } from '../../src/commands/tar.js';

const SSH = { identityFile: '/keys/id', knownHostsFile: '/keys/known_hosts', options: [] };

describe('tar commands for sealed files snapshots', () => {
  it.each<[string, Command, Command]>([
    ['create', tarCreate('/repo/t/.partial-x/.tree'), { file: 'tar', args: ['--create', '--file=-', '--directory=/repo/t/.partial-x/.tree', '--sort=name', '--numeric-owner', '--hard-dereference', '--', '.'] }],
    ['extract', tarExtract('/srv/.ops-restore-data-20300101T000000Z'), { file: 'tar', args: ['--extract', '--file=-', '--directory=/srv/.ops-restore-data-20300101T000000Z', '--numeric-owner'] }],
    [
      'hash every entry, names only through tar\'s environment',
      tarHashEntries(),
      { file: 'tar', args: ['--extract', '--file=-', '--to-command=h=$(sha256sum) && printf "%s %s %s\\0" "${h%% *}" "$TAR_SIZE" "$TAR_FILENAME"'] },
    ],
    ['extract on a local destination', onHostOf({ kind: 'local', path: '/srv/data' }, SSH, tarExtract('/srv/.s')), { file: 'tar', args: ['--extract', '--file=-', '--directory=/srv/.s', '--numeric-owner'] }],
  ])('%s', (_name, command, expected) => {
    expect(command).toEqual(expected);
  });

  it('extract on an ssh destination runs tar there, its argv quoted once', () => {
    const command = onHostOf({ kind: 'ssh', user: 'ops', host: 'files.example', port: 2222, path: '/srv/data' }, SSH, tarExtract('/srv/.s p'));
    expect(command.file).toBe('ssh');
    expect(command.args.slice(-3)).toEqual(['ops@files.example', '--', "tar --extract --file=- '--directory=/srv/.s p' --numeric-owner"]);
  });
});
