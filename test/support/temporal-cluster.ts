import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { execa, type ResultPromise } from 'execa';
import { freePort } from '../../src/local-servers/free-port.js';
import { startPostgres, type LocalPostgres } from '../../src/local-servers/postgres-server.js';
import { searchAttributeCliPairs, searchAttributes } from '../../src/temporal/names.js';
import { findTemporalBinary, PROJECT_TOOLS_BIN } from '../../src/temporal/temporal-binary.js';
import { schemaSetupSteps, TEMPORAL_DATABASES, temporalServerConfig, type TemporalServerPorts } from './temporal-server-config.js';
import { waitFor } from './wait-for.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILD_SCRIPT = join(ROOT, 'scripts/build-temporal-server.sh');
const SERVER = join(PROJECT_TOOLS_BIN, 'temporal-server');
const SQL_TOOL = join(PROJECT_TOOLS_BIN, 'temporal-sql-tool');
const PASSWORD_VAR = 'OPS_TEMPORAL_DB_PASSWORD';
const NAMESPACE = 'default';

export interface TemporalCluster {
  address: string;
  namespace: string;
  /** Stops the server (SIGTERM) and starts it again on the same database and ports. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds temporal-server and temporal-sql-tool into .tools/bin unless they are there at the pinned
 * version; the first build takes several minutes.
 */
export async function buildTemporalServer(): Promise<void> {
  const build = await execa('bash', [BUILD_SCRIPT], { reject: false, all: true });
  if (build.failed) throw new Error(`scripts/build-temporal-server.sh failed (exit ${build.exitCode}):\n${build.all}`);
}

/**
 * A production-style Temporal on this host: the real server binary (all four services in one
 * process) on a PostgreSQL of its own in `dir`, its schema set up by temporal-sql-tool, the
 * namespace created and ops' search attributes registered as an operator would.
 */
export async function startTemporalCluster(dir: string): Promise<TemporalCluster> {
  await mkdir(dir, { recursive: true });
  // PostgreSQL runs as the postgres OS user, which must reach its data dir.
  await chmod(dir, 0o755);
  const postgres = await startPostgres({ dataDir: join(dir, 'pg') });
  let server: ServerProcess | undefined;
  try {
    await setUpSchema(postgres);
    const ports = await freePorts();
    const configDir = join(dir, 'config');
    await mkdir(configDir, { recursive: true });
    await writeFile(
      join(configDir, 'development.yaml'),
      temporalServerConfig({ ports, postgres: { host: postgres.host, port: postgres.port, user: postgres.adminUser }, passwordVar: PASSWORD_VAR }),
    );
    const logFile = join(dir, 'server.log');
    const address = `127.0.0.1:${ports.frontend}`;
    const start = () => startServer(dir, logFile, address, postgres.adminPassword);
    server = await start();
    await registerNamespace(address);
    return {
      address,
      namespace: NAMESPACE,
      async restart() {
        await stopServer(server!);
        server = await start();
      },
      async stop() {
        await stopServer(server!);
        await postgres.stop();
      },
    };
  } catch (err) {
    if (server) await stopServer(server);
    await postgres.stop();
    throw err;
  }
}

async function setUpSchema(postgres: LocalPostgres): Promise<void> {
  const connection = ['--plugin', 'postgres12', '--endpoint', postgres.host, '--port', String(postgres.port), '--user', postgres.adminUser];
  for (const database of Object.values(TEMPORAL_DATABASES)) {
    for (const step of schemaSetupSteps(database)) {
      // The password travels in the tool's SQL_PASSWORD variable, not in argv.
      const run = await execa(SQL_TOOL, [...connection, ...step], { env: { SQL_PASSWORD: postgres.adminPassword }, reject: false, all: true });
      if (run.failed) throw new Error(`temporal-sql-tool ${step.join(' ')} failed (exit ${run.exitCode}):\n${run.all}`);
    }
  }
}

/**
 * Ports below 32768 that were free a moment ago. Temporal stores each host's membership port in a
 * smallint column (cluster_membership.rpc_port), so the kernel's ephemeral ports (32768 and up)
 * make the server exit at start-up ("out of range for type smallint").
 */
async function freePorts(): Promise<TemporalServerPorts> {
  const names = ['frontend', 'frontendHttp', 'frontendMembership', 'history', 'historyMembership', 'matching', 'matchingMembership', 'worker', 'workerMembership', 'metrics'] as const;
  const ports: Partial<TemporalServerPorts> = {};
  const taken = new Set<number>();
  for (const name of names) {
    let port = 0;
    while (port === 0 || taken.has(port)) {
      const candidate = 20_000 + Math.floor(Math.random() * 12_000);
      if ((await freePort(candidate)) === candidate) port = candidate;
    }
    taken.add(port);
    ports[name] = port;
  }
  return ports as TemporalServerPorts;
}

/** The server process, boxed: an async function that returned the (thenable) subprocess itself would wait for it to end. */
interface ServerProcess {
  child: ResultPromise;
}

async function startServer(dir: string, logFile: string, address: string, password: string): Promise<ServerProcess> {
  const log = createWriteStream(logFile, { flags: 'a' });
  await once(log, 'open');
  const child = execa(SERVER, ['--root', dir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'], {
    env: { [PASSWORD_VAR]: password },
    stdin: 'ignore',
    stdout: log,
    stderr: log,
    reject: false,
  });
  let exited = false;
  void child.then(() => {
    exited = true;
    log.end();
  });
  try {
    await waitFor(`the Temporal server to answer on ${address}`, async () => {
      if (exited) throw new Error(`temporal-server exited with ${(await child).exitCode}; the end of ${logFile}:\n${await logTail(logFile)}`);
      return answers(address);
    }, 120_000, 250);
  } catch (err) {
    await stopServer({ child });
    throw err;
  }
  return { child };
}

async function logTail(file: string): Promise<string> {
  return (await readFile(file, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-5).join('\n');
}

async function answers(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1_000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

async function stopServer({ child }: ServerProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await child;
  clearTimeout(timer);
}

/**
 * The namespace, then ops' search attributes, with the temporal CLI as the compose file's
 * registrar does. A new namespace reaches the frontend's cache only on its next refresh (10 s by
 * default): until then it is "not found", so both steps are retried.
 */
async function registerNamespace(address: string): Promise<void> {
  const cli = (args: string[]) => execa(findTemporalBinary(), ['operator', ...args, '--address', address, '--namespace', NAMESPACE], { reject: false, all: true });
  const created = await cli(['namespace', 'create', '--retention', '3d']);
  if (created.failed) throw new Error(`temporal operator namespace create failed:\n${created.all}`);
  for (const pair of searchAttributeCliPairs()) {
    const [name, type] = pair.split('=') as [string, string];
    let last = '';
    await waitFor(`search attribute ${pair} to be created`, async () => {
      const run = await cli(['search-attribute', 'create', '--name', name, '--type', type]);
      last = run.all ?? '';
      return !run.failed;
    }, 60_000, 1_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${last}`);
    });
  }
  // Workers and starters see the namespace once a query naming an ops attribute passes.
  const query = `${searchAttributes.runKind.name} = 'none'`;
  await waitFor('the namespace and its search attributes to be served', async () => {
    const connection = await Connection.connect({ address });
    try {
      await connection.workflowService.countWorkflowExecutions({ namespace: NAMESPACE, query });
      return true;
    } catch {
      return false;
    } finally {
      await connection.close();
    }
  }, 60_000, 500);
}
