import type { Command } from './command.js';

/** The commit a ref names; `^{commit}` makes a tag resolve to its commit, and --end-of-options keeps a ref from being read as an option. */
export function gitResolveCommit(repository: string, ref: string): Command {
  return { file: 'git', args: ['-C', repository, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`] };
}

/** A clean export of one commit as a tar stream: never a working tree with local changes. */
export function gitArchive(repository: string, sha: string): Command {
  return { file: 'git', args: ['-C', repository, 'archive', '--format=tar', sha] };
}

export function tarExtract(destDir: string): Command {
  return { file: 'tar', args: ['-x', '-f', '-', '-C', destDir] };
}

/**
 * The paths that differ between two commits, NUL-separated (-z: no quoting of unusual names).
 * --no-renames lists a renamed file under both names, so a moved migration still counts as changed.
 */
export function gitChangedPaths(repository: string, from: string, to: string): Command {
  return { file: 'git', args: ['-C', repository, 'diff', '--name-only', '-z', '--no-renames', '--end-of-options', from, to, '--'] };
}

/** Every path of a commit, NUL-separated: what "changed" means when no release ran before it. */
export function gitTreePaths(repository: string, sha: string): Command {
  return { file: 'git', args: ['-C', repository, 'ls-tree', '-r', '--name-only', '-z', '--end-of-options', sha] };
}
