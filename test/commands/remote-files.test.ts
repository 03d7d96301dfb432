import { describe, expect, it } from 'vitest';
import { describeCommand } from '../../src/commands/command.js';
import { listDir, makeDir, removeTree, renameDir, sha256OfFile, sha256OfFiles } from '../../src/commands/remote-files.js';
import type { SshSettings } from '../../src/commands/ssh.js';
import type { Location } from '../../src/config/location.js';

const SSH: SshSettings = { identityFile: '/etc/ops/id_ed25519', options: [] };
const LOCAL: Location = { kind: 'local', path: '/mnt/offsite' };
const REMOTE: Location = { kind: 'ssh', user: 'offsite', host: 'vault.example', port: 2200, path: '/backups' };
const SSH_PREFIX = [
  ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'],
  ...['-o', 'IdentityFile=/etc/ops/id_ed25519', '-o', 'IdentitiesOnly=yes'],
  ...['-p', '2200', 'offsite@vault.example', '--'],
];

const OPERATIONS: Array<[string, (location: Location) => ReturnType<typeof makeDir>, string[]]> = [
  ['sha256OfFile', (l) => sha256OfFile(l, '/backups/b1/app.dump', SSH), ['sha256sum', '--', '/backups/b1/app.dump']],
  ['sha256OfFiles', (l) => sha256OfFiles(l, ['/srv/up/a.txt', '/srv/up/my file'], SSH), ['sha256sum', '--zero', '--', '/srv/up/a.txt', '/srv/up/my file']],
  ['renameDir', (l) => renameDir(l, '/backups/.partial-b1', '/backups/b1', SSH), ['mv', '-T', '--', '/backups/.partial-b1', '/backups/b1']],
  ['makeDir', (l) => makeDir(l, '/backups/postgres/app', SSH), ['mkdir', '-p', '--', '/backups/postgres/app']],
  ['removeTree', (l) => removeTree(l, '/backups/b0', SSH), ['rm', '-rf', '--', '/backups/b0']],
  ['listDir', (l) => listDir(l, '/backups/my backups', SSH), ['ls', '-1A', '--', '/backups/my backups']],
];

describe('on a local location the command runs directly', () => {
  it.each(OPERATIONS)('%s', (_name, build, argv) => {
    expect(build(LOCAL)).toEqual({ file: argv[0], args: argv.slice(1) });
  });
});

describe('on an ssh location the command goes through ssh, quoted once', () => {
  it.each<[string, Location, string[]]>([
    ['sha256OfFile', REMOTE, [...SSH_PREFIX, 'sha256sum -- /backups/b1/app.dump']],
    ['sha256OfFiles', REMOTE, [...SSH_PREFIX, "sha256sum --zero -- /srv/up/a.txt '/srv/up/my file'"]],
    ['renameDir', REMOTE, [...SSH_PREFIX, 'mv -T -- /backups/.partial-b1 /backups/b1']],
    ['makeDir', REMOTE, [...SSH_PREFIX, 'mkdir -p -- /backups/postgres/app']],
    ['removeTree', REMOTE, [...SSH_PREFIX, 'rm -rf -- /backups/b0']],
    ['listDir', REMOTE, [...SSH_PREFIX, "ls -1A -- '/backups/my backups'"]],
  ])('%s', (name, location, args) => {
    const build = OPERATIONS.find(([op]) => op === name)![1];
    expect(build(location)).toEqual({ file: 'ssh', args });
  });

  it('keeps a hostile path one word on the remote side', () => {
    const cmd = removeTree(REMOTE, "/backups/x'; rm -rf / #", SSH);
    expect(cmd.args.at(-1)).toBe(`rm -rf -- '/backups/x'"'"'; rm -rf / #'`);
    expect(describeCommand(cmd)).toContain('offsite@vault.example --');
  });
});

describe('paths', () => {
  it.each(['/', '//', '/./', '/backups/..', '/backups/../etc', 'backups/b0', ''])('removeTree refuses %j', (path) => {
    expect(() => removeTree(REMOTE, path, SSH)).toThrow();
  });

  it.each<[string, () => unknown]>([
    ['sha256OfFile', () => sha256OfFile(LOCAL, 'app.dump', SSH)],
    ['renameDir from', () => renameDir(LOCAL, 'a', '/b', SSH)],
    ['renameDir to', () => renameDir(LOCAL, '/a', 'b', SSH)],
    ['makeDir', () => makeDir(REMOTE, 'backups', SSH)],
    ['listDir', () => listDir(REMOTE, '~/backups', SSH)],
  ])('%s refuses a relative path', (_name, build) => {
    expect(build).toThrow(/absolute path/);
  });
});
