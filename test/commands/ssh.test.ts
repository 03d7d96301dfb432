import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { Command } from '../../src/commands/command.js';
import { rsyncRemoteShell, sshBaseArgs, sshCommand, type SshHost, type SshSettings } from '../../src/commands/ssh.js';
import type { Location } from '../../src/config/location.js';
import type { OpsConfigParsed } from '../../src/config/schema.js';

const SAFE = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'];
const FULL: SshSettings = {
  identityFile: '/etc/ops/id_ed25519',
  knownHostsFile: '/etc/ops/known_hosts',
  options: ['ProxyJump=bastion', 'ConnectTimeout=10'],
};

describe('sshBaseArgs', () => {
  it('accepts the config ssh block, and an ssh Location as a host', () => {
    expectTypeOf<OpsConfigParsed['ssh']>().toExtend<SshSettings>();
    expectTypeOf<Extract<Location, { kind: 'ssh' }>>().toExtend<SshHost>();
  });

  it.each<[string, SshSettings, number | undefined, string[]]>([
    ['defaults', { options: [] }, undefined, SAFE],
    ['port only', { options: [] }, 2222, [...SAFE, '-p', '2222']],
    [
      'everything',
      FULL,
      2222,
      [
        ...SAFE,
        ...['-o', 'UserKnownHostsFile=/etc/ops/known_hosts'],
        ...['-o', 'IdentityFile=/etc/ops/id_ed25519', '-o', 'IdentitiesOnly=yes'],
        ...['-o', 'ProxyJump=bastion', '-o', 'ConnectTimeout=10'],
        ...['-p', '2222'],
      ],
    ],
    [
      'options cannot come before the safe ones',
      { options: ['StrictHostKeyChecking=no', 'BatchMode=no'] },
      undefined,
      [...SAFE, '-o', 'StrictHostKeyChecking=no', '-o', 'BatchMode=no'],
    ],
    [
      'paths ssh would split or expand',
      { knownHostsFile: '/home/Jo Smith/.ssh/known_hosts', identityFile: '/keys/100%/a"b\\c', options: [] },
      undefined,
      [
        ...SAFE,
        ...['-o', 'UserKnownHostsFile="/home/Jo Smith/.ssh/known_hosts"'],
        ...['-o', 'IdentityFile="/keys/100%%/a\\"b\\\\c"', '-o', 'IdentitiesOnly=yes'],
      ],
    ],
  ])('%s', (_name, ssh, port, expected) => {
    expect(sshBaseArgs(ssh, port)).toEqual(expected);
  });

  it('refuses a path with ${...}, which ssh expands without an escape', () => {
    expect(() => sshBaseArgs({ identityFile: '/keys/${USER}', options: [] })).toThrow(/\$\{\.\.\.\}/);
  });
});

describe('sshCommand', () => {
  it.each<[string, SshSettings, SshHost, string[], Command]>([
    [
      'user and port',
      FULL,
      { user: 'backup', host: 'files.internal', port: 2222 },
      ['sha256sum', '--', '/srv/backups/app.dump'],
      {
        file: 'ssh',
        args: [...sshBaseArgs(FULL, 2222), 'backup@files.internal', '--', 'sha256sum -- /srv/backups/app.dump'],
      },
    ],
    [
      'host only',
      { options: [] },
      { host: 'files.internal' },
      ['ls', '-1A', '--', '/srv/my backups'],
      { file: 'ssh', args: [...SAFE, 'files.internal', '--', "ls -1A -- '/srv/my backups'"] },
    ],
    [
      'hostile remote words stay words',
      { options: [] },
      { host: 'h' },
      ['mkdir', '-p', '--', "/srv/x'; rm -rf / #"],
      { file: 'ssh', args: [...SAFE, 'h', '--', `mkdir -p -- '/srv/x'"'"'; rm -rf / #'`] },
    ],
  ])('%s', (_name, ssh, host, remoteArgv, expected) => {
    expect(sshCommand(ssh, host, remoteArgv)).toEqual(expected);
  });

  it.each<[string, SshHost, string[], RegExp]>([
    ['an empty remote command', { host: 'h' }, [], /login shell/],
    ['a host ssh would read as an option', { host: '-oProxyCommand=touch /tmp/x' }, ['true'], /starts with "-"/],
    ['a user ssh would read as an option', { user: '-oProxyCommand=x', host: 'h' }, ['true'], /starts with "-"/],
  ])('refuses %s', (_name, host, remoteArgv, message) => {
    expect(() => sshCommand({ options: [] }, host, remoteArgv)).toThrow(message);
  });
});

describe('rsyncRemoteShell', () => {
  it.each<[string, SshSettings, number | undefined, string]>([
    ['defaults', { options: [] }, undefined, 'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes'],
    [
      'everything, with a port',
      FULL,
      2222,
      'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/etc/ops/known_hosts' +
        ' -o IdentityFile=/etc/ops/id_ed25519 -o IdentitiesOnly=yes -o ProxyJump=bastion -o ConnectTimeout=10 -p 2222',
    ],
    [
      'paths with spaces and quotes',
      { knownHostsFile: "/home/Jo Smith/o'hara/known_hosts", options: ['ProxyCommand=nc -X connect %h %p'] },
      22,
      `ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o 'UserKnownHostsFile="/home/Jo Smith/o'"'"'hara/known_hosts"'` +
        ` -o 'ProxyCommand=nc -X connect %h %p' -p 22`,
    ],
  ])('%s', (_name, ssh, port, expected) => {
    expect(rsyncRemoteShell(ssh, port)).toBe(expected);
  });
});

// rsync splits -e itself, by rules of its own (quotes, no backslashes). A stand-in `ssh` on PATH
// records the argv rsync gives it, proving the words arrive intact.
describe('rsyncRemoteShell read back by rsync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ops-rsync-e-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ssh'), '#!/bin/sh\nprintf \'%s\\0\' "$@" > "$ARGV_OUT"\nexit 1\n');
  chmodSync(join(dir, 'ssh'), 0o755);

  it.each<[string, SshSettings]>([
    ['plain', FULL],
    [
      'nasty',
      {
        identityFile: `/keys/it's a "key" \\ $HOME 100%`,
        knownHostsFile: "/home/Jo Smith/''/known_hosts",
        options: ['ProxyCommand=nc -X connect %h %p'],
      },
    ],
  ])('%s', (name, ssh) => {
    const out = join(dir, `${name}.argv`);
    try {
      execFileSync('rsync', ['-e', rsyncRemoteShell(ssh, 2222), 'backup@files.internal:/srv/', join(dir, 'dest/')], {
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, ARGV_OUT: out },
        stdio: 'ignore',
      });
    } catch {
      // rsync fails once the stand-in exits; only the recorded argv matters.
    }
    const argv = readFileSync(out, 'utf8').split('\0').slice(0, -1);
    expect(argv.slice(0, sshBaseArgs(ssh, 2222).length)).toEqual(sshBaseArgs(ssh, 2222));
  });
});
