import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { createConnection, escape } from 'mysql2/promise';
import { CommandFailed, TransientFailure } from '../core/errors.js';
import { freePort } from './free-port.js';
import { readOrCreatePassword } from './password-file.js';

export interface LocalMariadb {
  host: '127.0.0.1';
  port: number;
  adminUser: string;
  adminPassword: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface StartMariadbOptions {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}

const HOST = '127.0.0.1';
const ADMIN_USER = 'ops_admin';
const SERVER = '/usr/sbin/mariadbd';
const READY_TIMEOUT_MS = 60_000;
// Small InnoDB files keep install and start near one second; the demo data is tiny.
const INNODB_SIZES = ['--innodb-buffer-pool-size=64M', '--innodb-log-file-size=16M'];

/**
 * Everything hangs off dataDir, so a restart on the same dataDir finds it all again:
 *   <dataDir>/                  the MariaDB datadir
 *   <dataDir>.admin-password    password of ops_admin (0600), created once and reused
 *   <dataDir>.run/              mariadb.sock, mariadb.pid, error.log, tmp/; init.sql only while starting
 */
function layout(dataDir: string) {
  const abs = resolve(dataDir);
  const runDir = `${abs}.run`;
  return {
    dataDir: abs,
    passwordFile: `${abs}.admin-password`,
    runDir,
    socket: join(runDir, 'mariadb.sock'),
    pidFile: join(runDir, 'mariadb.pid'),
    errorLog: join(runDir, 'error.log'),
    initFile: join(runDir, 'init.sql'),
    // Its own tmpdir: servers installed at the same time in the shared /tmp were seen to clash there.
    tmpDir: join(runDir, 'tmp'),
  };
}
type Layout = ReturnType<typeof layout>;

// mariadbd refuses to run as root unless told to; as root we say so rather than switch users.
const userArgs = () => (process.getuid?.() === 0 ? ['--user=root'] : []);

async function install(paths: Layout): Promise<void> {
  // The default root auth (unix_socket for the OS user) is kept: we never log in as root.
  // ops_admin is created by the init file on every start instead, see adminInitSql.
  const result = await execa(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${paths.dataDir}`, `--tmpdir=${paths.tmpDir}`, '--skip-test-db', ...userArgs(), ...INNODB_SIZES],
    { reject: false, stdin: 'ignore', cwd: dirname(paths.dataDir) },
  );
  if (result.failed) throw new CommandFailed('mariadb-install-db', result.exitCode, `${result.stderr}\n${result.stdout}`, false);
}

/**
 * Run by mariadbd before it accepts connections, so the admin account always matches the
 * password file, even after a first start that died half-way. One statement per line: the
 * init-file parser is line-oriented. '%' is safe because the server binds 127.0.0.1 only.
 */
function adminInitSql(password: string): string {
  const account = `'${ADMIN_USER}'@'%'`;
  return [
    `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ${escape(password)};`,
    `ALTER USER ${account} IDENTIFIED BY ${escape(password)};`,
    `GRANT ALL PRIVILEGES ON *.* TO ${account} WITH GRANT OPTION;`,
  ].join('\n');
}

async function isMariadbd(pid: number): Promise<boolean> {
  // Checks the name and the zombie state too: a pid file can outlive its process and the pid be reused.
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat.includes('(mariadbd)') && !/\) Z /.test(stat);
}

async function terminate(pid: number): Promise<void> {
  if (!(await isMariadbd(pid))) return;
  process.kill(pid, 'SIGTERM');
  while (await isMariadbd(pid)) await sleep(50);
}

async function pidFromFile(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-10).join('\n');
}

interface Exit {
  exitCode?: number;
}

async function waitUntilReady(port: number, password: string, exit: () => Exit | undefined, paths: Layout): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const exited = exit();
    if (exited) throw new CommandFailed('mariadbd', exited.exitCode, await logTail(paths.errorLog), false);
    const connection = await createConnection({ host: HOST, port, user: ADMIN_USER, password }).catch(() => undefined);
    if (connection) return connection.end();
    if (Date.now() > deadline) throw new TransientFailure(`mariadbd on port ${port} not ready after ${READY_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

/**
 * Stops a server a killed predecessor left running on this data dir, if any: it still holds its
 * port, which a start must be free to choose again.
 */
export async function stopLeftoverMariadb(dataDir: string): Promise<boolean> {
  const stale = await pidFromFile(layout(dataDir).pidFile);
  if (stale === undefined || !(await isMariadbd(stale))) return false;
  await terminate(stale);
  return true;
}

/** Start (installing on first use) a MariaDB server that listens on 127.0.0.1 only. */
export async function startMariadb(opts: StartMariadbOptions): Promise<LocalMariadb> {
  const log = opts.log ?? (() => {});
  const paths = layout(opts.dataDir);
  await mkdir(paths.dataDir, { recursive: true, mode: 0o700 });
  await mkdir(paths.tmpDir, { recursive: true, mode: 0o700 });
  const adminPassword = await readOrCreatePassword(paths.passwordFile);

  if (!existsSync(join(paths.dataDir, 'mysql'))) {
    log(`mariadb-install-db ${paths.dataDir}`);
    await install(paths);
  }
  if (await stopLeftoverMariadb(paths.dataDir)) log(`stopped a server left running on ${paths.dataDir}`);

  const port = opts.port ?? (await freePort());
  await writeFile(paths.initFile, adminInitSql(adminPassword), { mode: 0o600 });
  log(`starting MariaDB on ${HOST}:${port}`);
  // Detached, like pg_ctl's postmaster: Ctrl-C in the terminal reaches ops, which stops servers in order.
  const server = execa(SERVER, [
    '--no-defaults',
    `--datadir=${paths.dataDir}`,
    `--port=${port}`,
    `--bind-address=${HOST}`,
    `--socket=${paths.socket}`,
    `--tmpdir=${paths.tmpDir}`,
    `--pid-file=${paths.pidFile}`,
    `--log-error=${paths.errorLog}`,
    `--init-file=${paths.initFile}`,
    '--skip-name-resolve',
    ...userArgs(),
    ...INNODB_SIZES,
  ], { detached: true, stdio: 'ignore', reject: false, cwd: dirname(paths.dataDir) });
  server.unref();
  let exited: Exit | undefined;
  void server.then((result) => (exited = result));
  const pid = server.pid;
  if (pid === undefined) throw new CommandFailed('mariadbd', undefined, 'could not spawn', false);

  try {
    await waitUntilReady(port, adminPassword, () => exited, paths);
  } catch (err) {
    await terminate(pid);
    throw err;
  } finally {
    await rm(paths.initFile, { force: true });
  }
  return { host: HOST, port, adminUser: ADMIN_USER, adminPassword, dataDir: paths.dataDir, stop: () => terminate(pid) };
}
