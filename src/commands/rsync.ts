import { rsyncPath, type Location } from '../config/location.js';
import type { Command } from './command.js';
import { assertSshHost, rsyncRemoteShell, type SshSettings } from './ssh.js';

/** A relative partial-dir also gets an implicit protect rule, so --delete leaves resumable files alone. */
const PARTIAL_DIR = '--partial-dir=.rsync-partial';

export interface RsyncSnapshotOptions {
  source: Location;
  dest: string;
  /** The previous snapshot: unchanged files become hard links to it instead of copies. */
  linkDest?: string;
  exclude: string[];
  ssh: SshSettings;
}

/** Makes `dest` an exact copy of the source directory's contents. */
export function rsyncSnapshot(options: RsyncSnapshotOptions): Command {
  const { source, dest, linkDest, exclude, ssh } = options;
  // rsync resolves a relative --link-dest against the destination directory, not the working
  // directory, so a relative path would silently match nothing and every file would be copied.
  if (linkDest !== undefined && !linkDest.startsWith('/')) {
    throw new Error(`--link-dest must be an absolute path, got "${linkDest}"`);
  }
  return {
    file: 'rsync',
    args: [
      '--archive',
      '--hard-links',
      '--numeric-ids',
      '--delete',
      PARTIAL_DIR,
      '--stats',
      ...(linkDest !== undefined ? [`--link-dest=${linkDest}`] : []),
      ...exclude.map((pattern) => `--exclude=${pattern}`),
      ...remoteShellArgs(source, ssh),
      '--',
      asDirectory(locationPath(source, '')),
      asDirectory(dest),
    ],
  };
}

/**
 * Copies a local backup directory to `subPath` under an offsite location. rsync creates only the
 * last directory of the destination, so its parent must exist (makeDir in remote-files.ts).
 */
export function rsyncPush(options: { sourceDir: string; dest: Location; subPath: string; ssh: SshSettings; exclude?: string[]; mirror?: boolean }): Command {
  const { sourceDir, dest, subPath, ssh, exclude = [], mirror = false } = options;
  return {
    file: 'rsync',
    args: [
      '--archive',
      PARTIAL_DIR,
      // mirror: the destination ends up exactly the source (a re-deploy of a release dir).
      ...(mirror ? ['--delete'] : []),
      ...exclude.map((pattern) => `--exclude=${pattern}`),
      ...remoteShellArgs(dest, ssh),
      '--',
      asDirectory(sourceDir),
      asDirectory(locationPath(dest, subPath)),
    ],
  };
}

/** Fetches `subPath` under an offsite location back into a local directory. */
export function rsyncPull(options: { source: Location; subPath: string; destDir: string; ssh: SshSettings }): Command {
  const { source, subPath, destDir, ssh } = options;
  return {
    file: 'rsync',
    args: [
      '--archive',
      PARTIAL_DIR,
      ...remoteShellArgs(source, ssh),
      '--',
      asDirectory(locationPath(source, subPath)),
      asDirectory(destDir),
    ],
  };
}

/**
 * Lists how the directory at `path` (absolute, on dest's host) differs from a local directory,
 * comparing file contents by checksum rather than size and time. Prints nothing when they match;
 * otherwise one itemized line per difference, `*deleting` for files only the copy has.
 */
export function rsyncCompare(options: { sourceDir: string; dest: Location; path: string; ssh: SshSettings }): Command {
  const { sourceDir, dest, path, ssh } = options;
  return {
    file: 'rsync',
    args: [
      ...['--archive', '--dry-run', '--checksum', '--itemize-changes', '--delete'],
      ...remoteShellArgs(dest, ssh),
      '--',
      asDirectory(sourceDir),
      asDirectory(locationPath({ ...dest, path }, '')),
    ],
  };
}

/**
 * Puts a snapshot's files into a directory, local or over ssh, printing one itemized line per
 * change. Files compared by checksum, so a same-size, same-time file with other content is
 * replaced. Files the snapshot lacks stay unless `delete`; `dryRun` lists the changes and makes none.
 */
export function rsyncRestore(options: { sourceDir: string; dest: Location; ssh: SshSettings; dryRun: boolean; delete: boolean }): Command {
  const { sourceDir, dest, ssh } = options;
  return {
    file: 'rsync',
    args: [
      ...['--archive', '--checksum', '--itemize-changes'],
      ...(options.delete ? ['--delete'] : []),
      ...(options.dryRun ? ['--dry-run'] : []),
      ...remoteShellArgs(dest, ssh),
      '--',
      asDirectory(sourceDir),
      asDirectory(locationPath(dest, '')),
    ],
  };
}

/** rsync would otherwise start plain ssh, without the configured key, known_hosts and options. */
function remoteShellArgs(location: Location, ssh: SshSettings): string[] {
  return location.kind === 'ssh' ? ['-e', rsyncRemoteShell(ssh, location.port)] : [];
}

function locationPath(location: Location, subPath: string): string {
  if (location.kind === 'ssh') assertSshHost(location);
  return rsyncPath(location, subPath);
}

/** A trailing slash makes rsync copy the directory's contents rather than the directory itself. */
function asDirectory(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}
