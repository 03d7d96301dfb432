import type { Location } from '../config/location.js';
import type { Command } from './command.js';
import { sshCommand, type SshSettings } from './ssh.js';

/*
 * File operations on a location's host: through ssh for an ssh location, directly otherwise.
 * Paths are absolute paths on that host (joinPath(location.path, ...)): a relative one would
 * resolve against the remote home or the worker's working directory, which is never meant.
 * mv -T is GNU coreutils; the hosts ops manages are Linux.
 */

/** Prints `<hex digest>  <path>`. */
export function sha256OfFile(location: Location, path: string, ssh: SshSettings): Command {
  return onHost(location, ssh, ['sha256sum', '--', absolute(path)]);
}

/**
 * The sha256 of each file, `<hash>  <path>` records ended by NUL (--zero: no escaping of odd
 * names). A file that is missing is left out of the output, and sha256sum then exits 1.
 */
export function sha256OfFiles(location: Location, paths: string[], ssh: SshSettings): Command {
  return onHost(location, ssh, ['sha256sum', '--zero', '--', ...paths.map(absolute)]);
}

/** -T: if `to` already exists as a directory, fail instead of moving `from` inside it. */
export function renameDir(location: Location, from: string, to: string, ssh: SshSettings): Command {
  return onHost(location, ssh, ['mv', '-T', '--', absolute(from), absolute(to)]);
}

export function makeDir(location: Location, path: string, ssh: SshSettings): Command {
  return onHost(location, ssh, ['mkdir', '-p', '--', absolute(path)]);
}

/** Refuses `/` and paths with `..`, so a bad join cannot widen what is deleted. */
export function removeTree(location: Location, path: string, ssh: SshSettings): Command {
  const segments = absolute(path).split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0 || segments.includes('..')) throw new Error(`refusing to remove "${path}"`);
  return onHost(location, ssh, ['rm', '-rf', '--', path]);
}

/** The file's content on stdout. */
export function printFile(location: Location, path: string, ssh: SshSettings): Command {
  return onHost(location, ssh, ['cat', '--', absolute(path)]);
}

/** One name per line, dotfiles included, without `.` and `..`. */
export function listDir(location: Location, path: string, ssh: SshSettings): Command {
  return onHost(location, ssh, ['ls', '-1A', '--', absolute(path)]);
}

function onHost(location: Location, ssh: SshSettings, argv: [string, ...string[]]): Command {
  if (location.kind === 'ssh') return sshCommand(ssh, location, argv);
  const [file, ...args] = argv;
  return { file, args };
}

function absolute(path: string): string {
  if (!path.startsWith('/')) throw new Error(`expected an absolute path, got "${path}"`);
  return path;
}

/** A local command run on the location's host instead: through ssh for an ssh location (no env: none of these need one). */
export function onHostOf(location: Location, ssh: SshSettings, command: Command): Command {
  return onHost(location, ssh, [command.file, ...command.args]);
}
