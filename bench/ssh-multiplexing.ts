import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { sshBaseArgs, sshCommand, type SshHost, type SshSettings } from '../src/commands/ssh.js';
import { median } from './bench-report.js';

/**
 * ssh options that share one connection per host between ssh invocations: the first one opens a
 * master that stays for a minute after the last use, later ones only open a channel on it. %C is a
 * hash of the connection, which keeps the socket path short (unix sockets allow ~100 bytes).
 */
export function multiplexingOptions(controlDir: string): string[] {
  return ['ControlMaster=auto', `ControlPath=${join(controlDir, 'cm-%C')}`, 'ControlPersist=60'];
}

/** Asks every master with a socket in controlDir to exit (`ssh -O exit`). */
export async function closeMasters(controlDir: string, ssh: SshSettings, host: SshHost): Promise<void> {
  const sockets = (await readdir(controlDir).catch(() => [])).filter((name) => name.startsWith('cm-'));
  for (const socket of sockets) {
    await execa('ssh', [...sshBaseArgs({ ...ssh, options: [`ControlPath=${join(controlDir, socket)}`] }, host.port), '-O', 'exit', host.host], { reject: false, stdin: 'ignore' });
  }
}

export interface RoundTrips {
  /** Median ms of `ssh host true`, each on a new connection (what every ssh step does now). */
  fresh: number;
  /** Median ms of the same over a shared master, after the first call opened it. */
  multiplexed: number;
  /** ms of the call that opened the master. */
  opening: number;
}

async function timedMs(ssh: SshSettings, host: SshHost): Promise<number> {
  const { file, args } = sshCommand(ssh, host, ['true']);
  const started = performance.now();
  await execa(file, args, { stdin: 'ignore' });
  return performance.now() - started;
}

/** The cost of one ssh step's connection, with and without multiplexing, on the bench's sshd. */
export async function measureRoundTrips(ssh: SshSettings, host: SshHost, controlDir: string, count = 10): Promise<RoundTrips> {
  await mkdir(controlDir, { recursive: true, mode: 0o700 });
  const fresh: number[] = [];
  for (let i = 0; i < count; i++) fresh.push(await timedMs(ssh, host));
  const shared = { ...ssh, options: [...ssh.options, ...multiplexingOptions(controlDir)] };
  const opening = await timedMs(shared, host);
  const multiplexed: number[] = [];
  try {
    for (let i = 0; i < count; i++) multiplexed.push(await timedMs(shared, host));
  } finally {
    await closeMasters(controlDir, ssh, host);
  }
  return { fresh: median(fresh), multiplexed: median(multiplexed), opening };
}
