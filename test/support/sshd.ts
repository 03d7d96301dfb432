import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { freePort } from '../../src/local-servers/free-port.js';

export interface LocalSshd {
  host: '127.0.0.1';
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
// sshd re-executes itself for each connection and insists on an absolute path to do so.
const SSHD = '/usr/sbin/sshd';
// sshd refuses to start as root without its privilege separation directory.
const PRIVSEP_DIR = '/run/sshd';
const READY_TIMEOUT_MS = 20_000;

/** Client options that trust exactly this server and key, and never prompt. */
export function sshClientArgs(sshd: Pick<LocalSshd, 'port' | 'identityFile' | 'knownHostsFile'>): string[] {
  return [
    '-F', 'none',
    '-p', String(sshd.port),
    '-i', sshd.identityFile,
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${sshd.knownHostsFile}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
  ];
}

async function keyPair(file: string, comment: string): Promise<void> {
  if (!existsSync(file)) await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/**
 * One `SetEnv` line. sshd_config splits arguments like a shell word list without expansion: a double-quoted
 * token may hold whitespace, and only `\\`, `\"` and `\'` are escapes. A newline cannot be expressed at all.
 */
export function setEnvLine(env: Record<string, string>): string | undefined {
  const entries = Object.entries(env);
  if (entries.length === 0) return undefined;
  const token = ([name, value]: [string, string]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`sshd SetEnv: invalid variable name ${JSON.stringify(name)}`);
    if (/[\r\n\0]/.test(value)) throw new Error(`sshd SetEnv: ${name} holds a line break or NUL, which sshd_config cannot express`);
    return `"${name}=${value.replace(/["'\\]/g, (c) => `\\${c}`)}"`;
  };
  return `SetEnv ${entries.map(token).join(' ')}`;
}

function sshdConfig(dir: string, port: number, env: Record<string, string>): string {
  const quoted = (path: string) => `"${path}"`;
  const setEnv = setEnvLine(env);
  return [
    `Port ${port}`,
    `ListenAddress ${HOST}`,
    `HostKey ${quoted(join(dir, 'host_ed25519'))}`,
    `AuthorizedKeysFile ${quoted(join(dir, 'authorized_keys'))}`,
    `PidFile ${quoted(join(dir, 'sshd.pid'))}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    // The test dir lives under /tmp; StrictModes would reject its ownership chain.
    'StrictModes no',
    'UsePAM no',
    'Subsystem sftp internal-sftp',
    ...(setEnv === undefined ? [] : [setEnv]),
  ].join('\n');
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, HOST);
    const finish = (accepted: boolean) => {
      socket.destroy();
      done(accepted);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.setTimeout(1000, () => finish(false));
  });
}

/** Ready means a real login works, not just an open port: the key, known_hosts and config all agree. */
async function waitForLogin(sshd: LocalSshd, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let problem = 'port not accepting';
  while (Date.now() < deadline) {
    if (exited()) throw new Error('sshd exited during start');
    if (await portAccepts(sshd.port)) {
      const probe = await execa('ssh', [...sshClientArgs(sshd), `${sshd.user}@${HOST}`, 'true'], { reject: false, stdin: 'ignore' });
      if (probe.exitCode === 0) return;
      problem = probe.stderr.trim();
    }
    await sleep(50);
  }
  throw new Error(`no ssh login within ${READY_TIMEOUT_MS} ms: ${problem}`);
}

/**
 * Start an sshd on 127.0.0.1 that lets the current OS user in with a fresh key, for rsync/ssh tests.
 * `env` is set in every session (SetEnv), over sshd's defaults such as PATH; the user's shell rc files
 * still run after it and may change it.
 */
export async function startSshd(opts: { dir: string; env?: Record<string, string> }): Promise<LocalSshd> {
  const dir = resolve(opts.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await keyPair(join(dir, 'host_ed25519'), 'ops-test-host');
  const identityFile = join(dir, 'client_ed25519');
  await keyPair(identityFile, 'ops-test-client');
  await copyFile(`${identityFile}.pub`, join(dir, 'authorized_keys'));

  const port = await freePort();
  const [keyType, key] = (await readFile(join(dir, 'host_ed25519.pub'), 'utf8')).trim().split(/\s+/);
  const knownHostsFile = join(dir, 'known_hosts');
  // OpenSSH writes known_hosts entries for a non-22 port as [host]:port.
  await writeFile(knownHostsFile, `[${HOST}]:${port} ${keyType} ${key}\n`);
  const configFile = join(dir, 'sshd_config');
  await writeFile(configFile, `${sshdConfig(dir, port, opts.env ?? {})}\n`);
  if (process.getuid?.() === 0) await mkdir(PRIVSEP_DIR, { recursive: true, mode: 0o755 });

  const server = execa(SSHD, ['-D', '-e', '-f', configFile], { reject: false, stdin: 'ignore', stdout: 'ignore', buffer: false });
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let exited = false;
  void server.then(() => (exited = true));
  const stop = async () => {
    server.kill('SIGTERM');
    await server;
  };

  const sshd: LocalSshd = { host: HOST, port, user: userInfo().username, identityFile, knownHostsFile, stop };
  try {
    await waitForLogin(sshd, () => exited);
  } catch (err) {
    await stop();
    throw new Error(`test sshd did not start (sshd said: ${stderr.trim() || 'nothing'})`, { cause: err });
  }
  return sshd;
}
