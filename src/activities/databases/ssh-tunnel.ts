import { readdir, readFile, readlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SshSettings } from '../../commands/ssh.js';
import { sshLocalForward, TUNNEL_BIND_ADDRESS } from '../../commands/ssh-tunnel.js';
import type { DatabaseAddress } from '../../config/database-url.js';
import { describeSshAddress, type SshHostAddress } from '../../config/location.js';
import { PreconditionFailed, TransientFailure } from '../../core/errors.js';
import { startChild } from '../process/start-child.js';
import { collectTail } from '../process/stderr-tail.js';

/** Longer than ssh's ConnectTimeout (10 s) plus a slow login: past it, ssh is hung, not still connecting. */
const READY_LIMIT_MS = 30_000;

export interface OpenTunnel {
  /** The database's address as seen through the tunnel: 127.0.0.1 and the forward's local port. */
  address: DatabaseAddress;
  localPort: number;
  /**
   * Why ssh could not open a connection to the database, as it said on stderr (`connect failed:
   * Connection refused`): the client through the tunnel only sees its connection reset.
   */
  channelFailure(): string | undefined;
  /** Ends ssh and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Starts an ssh local forward from 127.0.0.1:localPort (one free a moment ago) to the database's
 * host and port as `via` sees them, and returns once
 * ssh listens on the local port. ssh binds the forward only after it has logged in, so ssh listening
 * on the port means the tunnel is up; that is read from /proc rather than tried by connecting,
 * which would open a connection to the database and leave an "incomplete startup packet" line in its log.
 * ssh runs under the pdeathsig wrapper like every child (it dies with the worker) and ends on cancel.
 *
 * ssh exits 255 for every failure. Whether retrying can help is decided by reaching the ssh port
 * with a plain TCP connect: unreachable is the world's fault (retryable), while a host that
 * answers and still refused the login (key, known_hosts, user) is the inputs' (not retryable).
 */
export async function openTunnel(ssh: SshSettings, via: SshHostAddress, to: DatabaseAddress, localPort: number, cancelSignal?: AbortSignal): Promise<OpenTunnel> {
  const child = startChild(sshLocalForward(ssh, via, localPort, to), {
    reject: false,
    buffer: false,
    stdin: 'ignore',
    stdout: 'ignore',
    ...(cancelSignal ? { cancelSignal } : {}),
  });
  const tail = collectTail(child.stderr);
  let exited = false;
  void child.then(() => (exited = true));
  const close = async () => {
    child.kill();
    await child;
  };

  const deadline = Date.now() + READY_LIMIT_MS;
  while (!exited && !(await listensOn(child.pid, localPort))) {
    if (Date.now() > deadline) {
      await close();
      throw new TransientFailure(`ssh tunnel via ${describeSshAddress(via)}: no forward listening after ${READY_LIMIT_MS / 1000} s`);
    }
    await sleep(50);
  }
  if (exited) {
    const said = oneLine(tail()) || `ssh exited ${(await child).exitCode ?? 'on a signal'}`;
    // Another program took the free port before ssh could bind it: a race, not the inputs.
    if ((await listeningSockets(localPort)).length > 0) throw new TransientFailure(`ssh tunnel via ${describeSshAddress(via)}: local port ${localPort} was taken before ssh could listen on it`);
    const port = via.port ?? 22;
    if (!(await accepts(via.host, port))) throw new TransientFailure(`ssh tunnel via ${describeSshAddress(via)}: cannot reach ${via.host}:${port} (${said})`);
    throw new PreconditionFailed(`ssh tunnel via ${describeSshAddress(via)}: ${said}`);
  }
  const channelFailure = () => tail().match(/open failed: ([^\n]+)/g)?.at(-1)?.replace(/^open failed: /, '').trim();
  return { address: { ...to, host: TUNNEL_BIND_ADDRESS, port: localPort }, localPort, channelFailure, close };
}

function oneLine(text: string): string {
  return text.trim().split('\n').map((line) => line.trim()).filter(Boolean).slice(-3).join(' | ');
}

/**
 * Whether this process (ssh) holds the socket listening on 127.0.0.1:port: the row of
 * /proc/net/tcp in state 0A (LISTEN) names the socket's inode, and the process's fds link to it.
 * Another program that took the port first would otherwise pass for the tunnel, and be handed
 * the database password.
 */
async function listensOn(pid: number | undefined, port: number): Promise<boolean> {
  if (pid === undefined) return false;
  const inodes = await listeningSockets(port);
  if (inodes.length === 0) return false;
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (inodes.includes(target)) return true;
  }
  return false;
}

/** The sockets listening on 127.0.0.1:port, as /proc/<pid>/fd links name them. */
async function listeningSockets(port: number): Promise<string[]> {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const table = await readFile('/proc/net/tcp', 'utf8');
  return table
    .split('\n')
    .map((row) => row.trim().split(/\s+/))
    .filter((fields) => fields[1] === local && fields[3] === '0A')
    .map((fields) => `socket:[${fields[9]}]`);
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port, timeout: 5000 });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.once('timeout', () => finish(false));
  });
}
