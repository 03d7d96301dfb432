import type { Command } from './command.js';
import { quoteForShell } from './shell-quote.js';

/** The config's `ssh` block, applied to every ssh connection ops makes, rsync's included. */
export interface SshSettings {
  identityFile?: string;
  knownHostsFile?: string;
  options: string[];
}

/** Where to connect. A Location of kind 'ssh' has this shape. */
export interface SshHost {
  user?: string;
  host: string;
  port?: number;
}

/**
 * Options for every ssh connection. BatchMode makes ssh fail instead of prompting, and host keys
 * are always checked. These come before the configured options because ssh keeps the first value
 * it is given for each option, so `options: [StrictHostKeyChecking=no]` cannot turn checking off.
 * The identity goes through -o IdentityFile rather than -i because ssh checks an -i path before
 * expanding its %-tokens, so a path with `%` could not be passed through -i at all.
 */
export function sshBaseArgs(ssh: SshSettings, port?: number): string[] {
  return [
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    ...(ssh.knownHostsFile ? ['-o', `UserKnownHostsFile=${sshConfigPath(ssh.knownHostsFile)}`] : []),
    ...(ssh.identityFile ? ['-o', `IdentityFile=${sshConfigPath(ssh.identityFile)}`, '-o', 'IdentitiesOnly=yes'] : []),
    ...ssh.options.flatMap((option) => ['-o', option]),
    ...(port === undefined ? [] : ['-p', String(port)]),
  ];
}

/**
 * Throws for a user or host starting with `-`. OpenSSH 9.2 rejects such a destination itself, but
 * an older ssh, or rsync handing the host on to ssh, may read it as an option (-oProxyCommand=...).
 */
export function assertSshHost(host: SshHost): void {
  if (host.host.startsWith('-') || host.user?.startsWith('-')) {
    throw new Error(`refusing ssh destination "${host.user ?? ''}@${host.host}": it starts with "-"`);
  }
}

export function sshDestination(host: SshHost): string {
  assertSshHost(host);
  return host.user ? `${host.user}@${host.host}` : host.host;
}

/**
 * Runs remoteArgv on the host. ssh hands the remote user's shell one string, so remoteArgv is
 * quoted into exactly one word. The `--` is needed: ssh parses options again after the
 * destination, so a remote word such as `-x` would otherwise be taken as an ssh option and the
 * command lost (ssh then starts a login shell). ssh consumes the `--` itself; the remote shell
 * never sees it (checked against OpenSSH 9.2).
 */
export function sshCommand(ssh: SshSettings, host: SshHost, remoteArgv: string[]): Command {
  if (remoteArgv.length === 0) throw new Error('sshCommand needs a remote command: without one ssh starts a login shell');
  return { file: 'ssh', args: [...sshBaseArgs(ssh, host.port), sshDestination(host), '--', quoteForShell(remoteArgv)] };
}

/** The value for rsync's -e: rsync splits it on spaces, honours quotes, and adds the destination itself. */
export function rsyncRemoteShell(ssh: SshSettings, port?: number): string {
  return quoteForShell(['ssh', ...sshBaseArgs(ssh, port)]);
}

/**
 * A file path in the form ssh's option parser needs: ssh expands %-tokens in these paths (so `%`
 * is doubled) and splits option values on whitespace, honouring quotes and backslashes (so such
 * a path is double-quoted with `"` and `\` escaped). ssh also expands ${VAR} there, with no escape.
 */
function sshConfigPath(path: string): string {
  if (path.includes('${')) throw new Error(`ssh would expand \${...} in "${path}" and cannot be told not to: rename the file`);
  const escaped = path.replaceAll('%', '%%');
  if (/^[A-Za-z0-9_./:@%+,-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}
