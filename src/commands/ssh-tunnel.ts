import type { Command } from './command.js';
import { sshBaseArgs, sshDestination, type SshHost, type SshSettings } from './ssh.js';

/** The loopback address a tunnel listens on: only processes on the worker's host can use it. */
export const TUNNEL_BIND_ADDRESS = '127.0.0.1';

/**
 * `ssh -N -L 127.0.0.1:<localPort>:<host>:<port> via`: a local forward to `host:port` as the ssh
 * host sees it, and no remote command. ExitOnForwardFailure comes before the configured options
 * (ssh keeps the first value) so that a port it cannot bind ends ssh instead of leaving it up with
 * no forward. ConnectTimeout bounds an unreachable host at 10 s, and the keepalives end a tunnel
 * whose host went away, so the dump through it fails instead of hanging; both may be overridden.
 */
export function sshLocalForward(ssh: SshSettings, via: SshHost, localPort: number, to: { host: string; port: number }): Command {
  return {
    file: 'ssh',
    args: [
      '-N',
      '-o', 'ExitOnForwardFailure=yes',
      ...sshBaseArgs(ssh, via.port),
      '-o', 'ConnectTimeout=10',
      '-o', 'ServerAliveInterval=15',
      '-o', 'ServerAliveCountMax=4',
      '-L', `${TUNNEL_BIND_ADDRESS}:${localPort}:${forwardHost(to.host)}:${to.port}`,
      '--',
      sshDestination(via),
    ],
  };
}

/** ssh splits -L on `:`, so an IPv6 address goes in brackets (a URL's hostname may already have them). */
function forwardHost(host: string): string {
  if (host.includes('/') || /\s/.test(host)) throw new Error(`cannot forward to host "${host}"`);
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
