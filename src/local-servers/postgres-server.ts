import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { CommandFailed, PreconditionFailed } from '../core/errors.js';
import { freePort } from './free-port.js';
import { readOrCreatePassword } from './password-file.js';

export interface LocalPostgres {
  host: '127.0.0.1';
  port: number;
  adminUser: string;
  adminPassword: string;
  dataDir: string;
  binDir: string;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}

const HOST = '127.0.0.1';
const ADMIN_USER = 'ops_admin';
const OS_USER = 'postgres';
const INSTALL_ROOT = '/usr/lib/postgresql';
const LOCAL_CONF = 'ops-local.conf';

/**
 * Everything hangs off dataDir, so a restart on the same dataDir finds it all again:
 *   <dataDir>/                  PGDATA; initdb wants it empty, so our files sit beside it
 *   <dataDir>/ops-local.conf    port, listen address and socket dir, rewritten on every start
 *   <dataDir>.admin-password    superuser password (0600), created once and reused
 *   <dataDir>.run/              unix socket and server.log
 * Unix socket paths are limited to ~107 bytes, so keep dataDir reasonably short.
 */
function layout(dataDir: string) {
  const abs = resolve(dataDir);
  return { dataDir: abs, passwordFile: `${abs}.admin-password`, runDir: `${abs}.run`, logFile: `${abs}.run/server.log` };
}
type Layout = ReturnType<typeof layout>;

// PostgreSQL refuses to run as root, so as root every server-side tool runs as the postgres OS user.
const asRoot = () => process.getuid?.() === 0;

function pgTool(binDir: string, paths: Layout, tool: string, args: string[]) {
  const file = join(binDir, tool);
  const [command, argv] = asRoot() ? ['runuser', ['-u', OS_USER, '--', file, ...args]] : [file, args];
  // cwd: the postgres user may not be able to enter ours (e.g. /root), and initdb complains if so.
  return execa(command, argv, { cwd: dirname(paths.dataDir), reject: false, stdin: 'ignore' });
}

async function newestBinDir(): Promise<string> {
  const versions = (await readdir(INSTALL_ROOT).catch(() => []))
    .filter((name) => /^\d+$/.test(name) && existsSync(join(INSTALL_ROOT, name, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new PreconditionFailed(`no PostgreSQL server found under ${INSTALL_ROOT}/*/bin`);
  return join(INSTALL_ROOT, versions[0]!, 'bin');
}

type Owner = { uid: number; gid: number };

async function postgresOwner(): Promise<Owner> {
  const [uid, gid] = await Promise.all([execa('id', ['-u', OS_USER]), execa('id', ['-g', OS_USER])]);
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

async function handOver(owner: Owner, paths: string[]): Promise<void> {
  for (const path of paths) await chown(path, owner.uid, owner.gid);
}

async function assertReachable(dir: string): Promise<void> {
  const reach = await execa('runuser', ['-u', OS_USER, '--', 'test', '-x', dir], { reject: false });
  if (reach.failed) {
    throw new PreconditionFailed(`the ${OS_USER} OS user cannot reach ${dir}; make every directory on that path traversable (chmod o+x)`);
  }
}

function commandFailed(what: string, result: { exitCode?: number; stderr: string; stdout: string }, detail = ''): CommandFailed {
  return new CommandFailed(what, result.exitCode, `${result.stderr}\n${result.stdout}\n${detail}`, false);
}

async function initCluster(binDir: string, paths: Layout): Promise<void> {
  const result = await pgTool(binDir, paths, 'initdb', [
    '--pgdata', paths.dataDir,
    '--username', ADMIN_USER,
    '--pwfile', paths.passwordFile,
    '--auth', 'scram-sha-256',
    '--encoding', 'UTF8',
    '--no-locale',
    // Skipping the final fsync saves about a second per cluster; only a power cut right after init can hurt.
    '--no-sync',
  ]);
  if (result.failed) throw commandFailed('initdb', result);
}

const confString = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** Checked on every start, so a cluster whose first start died right after initdb still gets it. */
async function includeLocalConf(paths: Layout): Promise<void> {
  const mainConf = join(paths.dataDir, 'postgresql.conf');
  const include = `include = '${LOCAL_CONF}'`;
  if (!(await readFile(mainConf, 'utf8')).includes(include)) await appendFile(mainConf, `\n${include}\n`);
}

async function writeLocalConf(paths: Layout, port: number, owner: Owner | undefined): Promise<void> {
  await includeLocalConf(paths);
  const settings = [`port = ${port}`, `listen_addresses = ${confString(HOST)}`, `unix_socket_directories = ${confString(paths.runDir)}`];
  const file = join(paths.dataDir, LOCAL_CONF);
  await writeFile(file, `${settings.join('\n')}\n`);
  if (owner) await handOver(owner, [file]);
}

async function isRunning(binDir: string, paths: Layout): Promise<boolean> {
  // pg_ctl status: 0 running, 3 not running, 4 no usable data directory.
  const result = await pgTool(binDir, paths, 'pg_ctl', ['status', '--pgdata', paths.dataDir]);
  if (result.exitCode === 0 || result.exitCode === 3) return result.exitCode === 0;
  throw commandFailed('pg_ctl status', result);
}

/** Stops the cluster if it runs; says whether it did. */
async function stopCluster(binDir: string, paths: Layout): Promise<boolean> {
  if (!(await isRunning(binDir, paths))) return false;
  const result = await pgTool(binDir, paths, 'pg_ctl', ['stop', '--pgdata', paths.dataDir, '--mode', 'fast', '--wait']);
  if (result.failed) throw commandFailed('pg_ctl stop', result);
  return true;
}

async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-10).join('\n');
}

async function startCluster(binDir: string, paths: Layout, port: number): Promise<void> {
  const args = ['start', '--pgdata', paths.dataDir, '--log', paths.logFile, '--wait', '--timeout', '60'];
  const started = await pgTool(binDir, paths, 'pg_ctl', args);
  // pg_ctl --wait trusts the status line in postmaster.pid; pg_isready proves the TCP listener clients will use.
  const ready = started.failed
    ? started
    : await execa(join(binDir, 'pg_isready'), ['--host', HOST, '--port', String(port), '--timeout', '30'], { reject: false });
  if (!ready.failed) return;
  const tail = await logTail(paths.logFile);
  // A timed-out start can leave a postmaster behind; do not leak it.
  await stopCluster(binDir, paths);
  throw commandFailed(started.failed ? 'pg_ctl start' : 'pg_isready', ready, tail);
}

/**
 * Stops a server a killed predecessor left running on this data dir, if any: it still holds its
 * port, which a start must be free to choose again.
 */
export async function stopLeftoverPostgres(dataDir: string): Promise<boolean> {
  const paths = layout(dataDir);
  if (!existsSync(join(paths.dataDir, 'PG_VERSION'))) return false;
  return stopCluster(await newestBinDir(), paths);
}

/** Start (initialising on first use) a PostgreSQL cluster that listens on 127.0.0.1 only. */
export async function startPostgres(opts: StartPostgresOptions): Promise<LocalPostgres> {
  const log = opts.log ?? (() => {});
  const binDir = await newestBinDir();
  const paths = layout(opts.dataDir);
  await mkdir(paths.dataDir, { recursive: true, mode: 0o700 });
  await chmod(paths.dataDir, 0o700);
  await mkdir(paths.runDir, { recursive: true });
  const adminPassword = await readOrCreatePassword(paths.passwordFile);
  const owner = asRoot() ? await postgresOwner() : undefined;
  if (owner) {
    await handOver(owner, [paths.dataDir, paths.runDir, paths.passwordFile]);
    await assertReachable(dirname(paths.dataDir));
  }

  if (!existsSync(join(paths.dataDir, 'PG_VERSION'))) {
    log(`initdb ${paths.dataDir}`);
    await initCluster(binDir, paths);
  }
  if (await stopCluster(binDir, paths)) log(`stopped a server left running on ${paths.dataDir}`);
  const port = opts.port ?? (await freePort());
  await writeLocalConf(paths, port, owner);

  log(`starting PostgreSQL on ${HOST}:${port}`);
  await startCluster(binDir, paths, port);
  return { host: HOST, port, adminUser: ADMIN_USER, adminPassword, dataDir: paths.dataDir, binDir, stop: async () => void (await stopCluster(binDir, paths)) };
}
