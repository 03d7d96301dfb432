import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/commands/command.js';
import { rsyncCompare, rsyncPull, rsyncPush, rsyncRestore, rsyncSnapshot, type RsyncSnapshotOptions } from '../../src/commands/rsync.js';
import type { SshSettings } from '../../src/commands/ssh.js';
import type { Location } from '../../src/config/location.js';

const SSH: SshSettings = { knownHostsFile: '/etc/ops/known_hosts', options: [] };
const REMOTE_SHELL = 'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/etc/ops/known_hosts';
const SNAPSHOT_FLAGS = ['--archive', '--hard-links', '--numeric-ids', '--delete', '--partial-dir=.rsync-partial', '--stats'];
const LOCAL: Location = { kind: 'local', path: '/srv/uploads' };
const REMOTE: Location = { kind: 'ssh', user: 'backup', host: 'files.internal', port: 2222, path: '/srv/uploads' };
const REMOTE_DEFAULT_PORT: Location = { kind: 'ssh', host: 'files.internal', path: '/srv/uploads/' };

describe('rsyncSnapshot', () => {
  it.each<[string, Omit<RsyncSnapshotOptions, 'ssh'>, string[]]>([
    ['local source', { source: LOCAL, dest: '/repo/partial/snapshot', exclude: [] }, [...SNAPSHOT_FLAGS, '--', '/srv/uploads/', '/repo/partial/snapshot/']],
    [
      'local source, link-dest and excludes',
      { source: LOCAL, dest: '/repo/partial/snapshot/', linkDest: '/repo/files/2024-01-01/snapshot', exclude: ['*.tmp', 'cache/'] },
      [
        ...SNAPSHOT_FLAGS,
        '--link-dest=/repo/files/2024-01-01/snapshot',
        '--exclude=*.tmp',
        '--exclude=cache/',
        ...['--', '/srv/uploads/', '/repo/partial/snapshot/'],
      ],
    ],
    [
      'ssh source with a port',
      { source: REMOTE, dest: '/repo/partial/snapshot', exclude: [] },
      [...SNAPSHOT_FLAGS, '-e', `${REMOTE_SHELL} -p 2222`, '--', 'backup@files.internal:/srv/uploads/', '/repo/partial/snapshot/'],
    ],
    [
      'ssh source without user or port',
      { source: REMOTE_DEFAULT_PORT, dest: '/repo/partial/snapshot', exclude: ['*.log'] },
      [...SNAPSHOT_FLAGS, '--exclude=*.log', '-e', REMOTE_SHELL, '--', 'files.internal:/srv/uploads/', '/repo/partial/snapshot/'],
    ],
  ])('%s', (_name, options, args) => {
    expect(rsyncSnapshot({ ...options, ssh: SSH })).toEqual({ file: 'rsync', args });
  });

  it.each<[string, Partial<RsyncSnapshotOptions>, RegExp]>([
    ['a relative link-dest', { linkDest: '.ops/backups/files/prev/snapshot' }, /absolute/],
    ['an ssh host that would be read as an option', { source: { kind: 'ssh', host: '-oProxyCommand=x', path: '/p' } }, /starts with "-"/],
  ])('refuses %s', (_name, override, message) => {
    expect(() => rsyncSnapshot({ source: LOCAL, dest: '/d', exclude: [], ssh: SSH, ...override })).toThrow(message);
  });
});

describe('rsyncPush', () => {
  it.each<[string, Location, Command]>([
    [
      'to a local offsite',
      { kind: 'local', path: '/mnt/offsite' },
      { file: 'rsync', args: ['--archive', '--partial-dir=.rsync-partial', '--', '/repo/postgres/app/b1/', '/mnt/offsite/postgres/app/b1/'] },
    ],
    [
      'to an ssh offsite',
      { kind: 'ssh', user: 'offsite', host: 'vault.example', port: 2200, path: '/backups' },
      {
        file: 'rsync',
        args: [
          ...['--archive', '--partial-dir=.rsync-partial', '-e', `${REMOTE_SHELL} -p 2200`, '--'],
          ...['/repo/postgres/app/b1/', 'offsite@vault.example:/backups/postgres/app/b1/'],
        ],
      },
    ],
  ])('%s', (_name, dest, expected) => {
    expect(rsyncPush({ sourceDir: '/repo/postgres/app/b1', dest, subPath: 'postgres/app/b1', ssh: SSH })).toEqual(expected);
  });

  it.each<[string, { exclude?: string[]; mirror?: boolean }, string[]]>([
    ['mirror: --delete, so the release dir ends up exactly the export', { mirror: true }, ['--archive', '--partial-dir=.rsync-partial', '--delete']],
    ['excludes, in order', { exclude: ['.git', '.env', 'node_modules/'] }, ['--archive', '--partial-dir=.rsync-partial', '--exclude=.git', '--exclude=.env', '--exclude=node_modules/']],
    [
      'a release sync: mirror and excludes',
      { exclude: ['.git', '.env', '*.log'], mirror: true },
      ['--archive', '--partial-dir=.rsync-partial', '--delete', '--exclude=.git', '--exclude=.env', '--exclude=*.log'],
    ],
    ['mirror: false and no excludes: a plain copy', { exclude: [], mirror: false }, ['--archive', '--partial-dir=.rsync-partial']],
  ])('to a deploy host, %s', (_name, options, flags) => {
    const dest: Location = { kind: 'ssh', user: 'deploy', host: 'web1.internal', port: 2222, path: '/srv/crm' };
    expect(rsyncPush({ sourceDir: '/var/lib/ops/releases/crm/0123abcd', dest, subPath: 'releases/0123abcd', ssh: SSH, ...options })).toEqual({
      file: 'rsync',
      args: [...flags, '-e', `${REMOTE_SHELL} -p 2222`, '--', '/var/lib/ops/releases/crm/0123abcd/', 'deploy@web1.internal:/srv/crm/releases/0123abcd/'],
    });
  });
});

describe('rsyncPull', () => {
  it.each<[string, Location, Command]>([
    [
      'from a local offsite',
      { kind: 'local', path: '/mnt/offsite/' },
      { file: 'rsync', args: ['--archive', '--partial-dir=.rsync-partial', '--', '/mnt/offsite/postgres/app/b1/', '/tmp/restore/b1/'] },
    ],
    [
      'from an ssh offsite',
      { kind: 'ssh', host: 'vault.example', port: 2200, path: '/backups' },
      {
        file: 'rsync',
        args: [
          ...['--archive', '--partial-dir=.rsync-partial', '-e', `${REMOTE_SHELL} -p 2200`, '--'],
          ...['vault.example:/backups/postgres/app/b1/', '/tmp/restore/b1/'],
        ],
      },
    ],
  ])('%s', (_name, source, expected) => {
    expect(rsyncPull({ source, subPath: 'postgres/app/b1', destDir: '/tmp/restore/b1/', ssh: SSH })).toEqual(expected);
  });
});

describe('rsyncCompare', () => {
  const COMPARE_FLAGS = ['--archive', '--dry-run', '--checksum', '--itemize-changes', '--delete'];
  it.each<[string, Location, string, Command]>([
    [
      'a local copy',
      { kind: 'local', path: '/mnt/offsite' },
      '/mnt/offsite/files/.partial-b1',
      { file: 'rsync', args: [...COMPARE_FLAGS, '--', '/repo/files/b1/', '/mnt/offsite/files/.partial-b1/'] },
    ],
    [
      'an ssh copy',
      { kind: 'ssh', user: 'offsite', host: 'vault.example', port: 2200, path: '/backups' },
      '/backups/files/b1',
      {
        file: 'rsync',
        args: [...COMPARE_FLAGS, '-e', `${REMOTE_SHELL} -p 2200`, '--', '/repo/files/b1/', 'offsite@vault.example:/backups/files/b1/'],
      },
    ],
  ])('%s', (_name, dest, path, expected) => {
    expect(rsyncCompare({ sourceDir: '/repo/files/b1', dest, path, ssh: SSH })).toEqual(expected);
  });
});

describe('rsyncRestore', () => {
  const FLAGS = ['--archive', '--checksum', '--itemize-changes'];
  it.each<[string, Location, { dryRun: boolean; delete: boolean }, string[]]>([
    ['into a local directory, extra files kept', LOCAL, { dryRun: false, delete: false }, [...FLAGS, '--', '/repo/files/b1/snapshot/', '/srv/uploads/']],
    ['--delete', LOCAL, { dryRun: false, delete: true }, [...FLAGS, '--delete', '--', '/repo/files/b1/snapshot/', '/srv/uploads/']],
    ['--dry-run --delete', LOCAL, { dryRun: true, delete: true }, [...FLAGS, '--delete', '--dry-run', '--', '/repo/files/b1/snapshot/', '/srv/uploads/']],
    ['over ssh', REMOTE, { dryRun: false, delete: false }, [...FLAGS, '-e', `${REMOTE_SHELL} -p 2222`, '--', '/repo/files/b1/snapshot/', 'backup@files.internal:/srv/uploads/']],
  ])('%s', (_name, dest, flags, args) => {
    expect(rsyncRestore({ sourceDir: '/repo/files/b1/snapshot', dest, ssh: SSH, ...flags })).toEqual({ file: 'rsync', args });
  });
});
