import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/commands/command.js';
import { gitArchive, gitChangedPaths, gitResolveCommit, gitTreePaths, tarExtract } from '../../src/commands/git.js';

describe('git commands', () => {
  it.each<[string, Command, Command]>([
    [
      'resolve a branch to its commit',
      gitResolveCommit('/srv/git/crm', 'main'),
      { file: 'git', args: ['-C', '/srv/git/crm', 'rev-parse', '--verify', '--quiet', '--end-of-options', 'main^{commit}'] },
    ],
    [
      'resolve a tag: ^{commit} peels it to its commit',
      gitResolveCommit('/srv/git/crm', 'v1.2.0'),
      { file: 'git', args: ['-C', '/srv/git/crm', 'rev-parse', '--verify', '--quiet', '--end-of-options', 'v1.2.0^{commit}'] },
    ],
    [
      'a ref that looks like an option stays a ref, after --end-of-options',
      gitResolveCommit('/srv/git/crm', '--output=/etc/passwd'),
      { file: 'git', args: ['-C', '/srv/git/crm', 'rev-parse', '--verify', '--quiet', '--end-of-options', '--output=/etc/passwd^{commit}'] },
    ],
    [
      'archive one commit as a tar stream',
      gitArchive('/srv/git/crm', '0123456789abcdef0123456789abcdef01234567'),
      { file: 'git', args: ['-C', '/srv/git/crm', 'archive', '--format=tar', '0123456789abcdef0123456789abcdef01234567'] },
    ],
    [
      'extract a tar stream from stdin into a directory',
      tarExtract('/var/lib/ops/releases/crm/0123.partial'),
      { file: 'tar', args: ['-x', '-f', '-', '-C', '/var/lib/ops/releases/crm/0123.partial'] },
    ],
    [
      'the paths changed between two commits, renames listed under both names',
      gitChangedPaths('/srv/git/crm', 'aaaa', 'bbbb'),
      { file: 'git', args: ['-C', '/srv/git/crm', 'diff', '--name-only', '-z', '--no-renames', '--end-of-options', 'aaaa', 'bbbb', '--'] },
    ],
    [
      'every path of one commit',
      gitTreePaths('/srv/git/crm', 'bbbb'),
      { file: 'git', args: ['-C', '/srv/git/crm', 'ls-tree', '-r', '--name-only', '-z', '--end-of-options', 'bbbb'] },
    ],
  ])('%s', (_name, command, expected) => {
    expect(command).toEqual(expected);
  });
});
