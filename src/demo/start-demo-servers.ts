import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { demoDir } from '../config/peek-config.js';
import { seedDemoMariadb, seedDemoPostgres } from '../local-servers/demo-data.js';
import { startMariadb, stopLeftoverMariadb } from '../local-servers/mariadb-server.js';
import { readOrCreatePassword } from '../local-servers/password-file.js';
import { startPostgres, stopLeftoverPostgres } from '../local-servers/postgres-server.js';
import { DEMO_PORT_VARS, DEMO_PORTS } from './demo-ports.js';

export { DEMO_PORTS } from './demo-ports.js';

export interface DemoServers {
  describe: string[];
  stop(): Promise<void>;
}

const READER = 'ops_reader';

/**
 * Stops the demo servers an `ops up` killed with `kill -9` left running. Done before the ports are
 * chosen: they hold the ports of last time, which would otherwise look taken and be given up.
 */
export async function stopLeftoverDemoServers(stateDir: string, wanted: { postgres: boolean; mariadb: boolean }): Promise<string[]> {
  const dir = demoDir(stateDir);
  const stopped: string[] = [];
  if (wanted.postgres && (await stopLeftoverPostgres(join(dir, 'pg')))) stopped.push(`stopped a demo PostgreSQL left running on ${join(dir, 'pg')}`);
  if (wanted.mariadb && (await stopLeftoverMariadb(join(dir, 'my')))) stopped.push(`stopped a demo MariaDB left running on ${join(dir, 'my')}`);
  return stopped;
}

/**
 * The demo that lets `npm start` back something up with no editing: a PostgreSQL and a MariaDB
 * with sample data under <stateDir>/demo, persisted between runs. Layout matches the example config:
 * demo/pg.admin-password, demo/my.admin-password, demo/reader.password.
 */
export async function startDemoServers(stateDir: string, wanted: { postgres: boolean; mariadb: boolean }, env: Record<string, string | undefined>): Promise<DemoServers> {
  const dir = demoDir(stateDir);
  const readerPassword = await prepareDemoSecrets(stateDir);
  const stops: Array<() => Promise<void>> = [];
  const describe: string[] = [];
  try {
    if (wanted.postgres) {
      const port = Number(env[DEMO_PORT_VARS.postgres] || DEMO_PORTS.postgres);
      const server = await startPostgres({ dataDir: join(dir, 'pg'), port });
      stops.push(() => server.stop());
      await seedDemoPostgres(server, { database: 'demo_app', readerUser: READER, readerPassword });
      describe.push(`demo PostgreSQL  127.0.0.1:${server.port}  database demo_app`);
    }
    if (wanted.mariadb) {
      const port = Number(env[DEMO_PORT_VARS.mariadb] || DEMO_PORTS.mariadb);
      const server = await startMariadb({ dataDir: join(dir, 'my'), port });
      stops.push(() => server.stop());
      await seedDemoMariadb(server, { database: 'demo_shop', readerUser: READER, readerPassword });
      describe.push(`demo MariaDB     127.0.0.1:${server.port}  database demo_shop`);
    }
  } catch (err) {
    await Promise.allSettled(stops.map((stop) => stop()));
    throw err;
  }
  return { describe, stop: async () => void (await Promise.allSettled(stops.map((stop) => stop()))) };
}

/**
 * Creates the demo's password files before anything starts, so the config (whose file: secrets
 * point at them) can be validated in full first. Returns the read-only user's password.
 */
export async function prepareDemoSecrets(stateDir: string): Promise<string> {
  const dir = demoDir(stateDir);
  await mkdir(dir, { recursive: true });
  // PostgreSQL runs as the postgres OS user, which must be able to reach its data dir.
  await chmod(stateDir, 0o755);
  await chmod(dir, 0o755);
  await readOrCreatePassword(join(dir, 'pg.admin-password'));
  await readOrCreatePassword(join(dir, 'my.admin-password'));
  return readOrCreatePassword(join(dir, 'reader.password'));
}
